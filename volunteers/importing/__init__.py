"""Volunteer rosters (志愿者名册) and 志愿汇 service-hour exports: parse (no database), then plan
against the team and apply all-or-nothing. The file reader, its guards, the header
comparison form, the value normalisers and the error sheet are the school roster's
(``children.roster``), reused as they are."""
