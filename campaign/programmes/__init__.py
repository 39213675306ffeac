"""The notice's four programmes as records (issue 10): care venues (关爱阵地), activities with
their volunteers and children, micro-wishes (微心愿) with the public wish wall, aid records
(情暖童心), individual support plans (一人一案) and guardianship follow-up (相伴成长).

Layout: ``models`` (imported by ``campaign.models``), ``services`` (atomic writes with their
audit entries), ``selectors`` (scoped reads and roll-ups), ``views``/``urls`` (added to
``campaign.urls``), ``demo`` (a line in ``campaign.demo.BUILDERS``), ``reminders``.
"""
