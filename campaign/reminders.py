"""The campaign's notification rules, registered with the core's registry from
``CampaignConfig.ready``. Today one on-demand rule: the one-click reminder about an overdue
report (sent by the level above from the overdue list). Scheduled deadline reminders (D-7,
D-3, D-1) are the reminders issue's to add here, as rules with a ``collect``."""

from huzhou_care.accounts.models import Role
from huzhou_care.notify.registry import Rule, register

from .services import REMINDER_RULE


def register_rules() -> None:
    register(
        Rule(
            code=REMINDER_RULE,
            label="阶段报送催报",
            roles=frozenset({Role.DISTRICT_STAFF, Role.SCHOOL_STAFF, Role.ORG_COORDINATOR}),
            description="上级单位在逾期名单中一键催报时发送。",
        )
    )
    # The programmes' rules (issue 10): wishes claimed but not confirmed / not fulfilled.
    from .programmes.reminders import register_rules as register_programme_rules

    register_programme_rules()
