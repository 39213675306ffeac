"""The December evaluation (督促考评): the indicator table, the roll-up into immutable
snapshots, self-assessment and the city's 审定, ranking and grades, and the dashboards."""
