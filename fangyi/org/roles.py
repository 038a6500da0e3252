"""Roles, what each may do, and how far each sees.

What a role may do is data (the PERMISSIONS table); how far a staff member sees is
their scope, derived from where they are posted (grid, community or the subdistrict).
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SUBDISTRICT_ADMIN = "subdistrict_admin", _("街道管理员")
    SUBDISTRICT_STAFF = "subdistrict_staff", _("街道工作人员")
    LEADER = "leader", _("街道领导")
    COMMUNITY_SECRETARY = "community_secretary", _("社区书记")
    COMMUNITY_WORKER = "community_worker", _("社区工作者")
    GRID_WORKER = "grid_worker", _("网格员")
    SECONDED_CADRE = "seconded_cadre", _("下沉干部")
    MEDICAL_STAFF = "medical_staff", _("医务人员")
    DRIVER = "driver", _("司机")
    VOLUNTEER_COORDINATOR = "volunteer_coordinator", _("志愿者协调员")
    VOLUNTEER = "volunteer", _("志愿者")


class Scope(models.TextChoices):
    SUBDISTRICT = "subdistrict", _("全街道")
    COMMUNITY = "community", _("本社区")
    GRID = "grid", _("本网格")


class Perm(models.TextChoices):
    VIEW_RESIDENTS = "view_residents", _("查看居民")
    EDIT_RESIDENTS = "edit_residents", _("编辑居民")
    REVEAL_PERSONAL = "reveal_personal", _("查看完整证件号和电话（留痕）")
    UNMASKED_LISTS = "unmasked_lists", _("列表和导出中显示完整证件号和电话")
    VIEW_ORG = "view_org", _("查看组织架构")
    MANAGE_ORG = "manage_org", _("管理社区、网格、站点和单位")
    MANAGE_STAFF = "manage_staff", _("管理工作人员")
    VIEW_VACCINATION = "view_vaccination", _("查看接种情况")
    OUTREACH = "outreach", _("动员和预约")
    RECORD_DOSE = "record_dose", _("登记接种、留观和异常反应")
    OVERRIDE_RULES = "override_rules", _("医生特批（不符合规则的接种）")
    PLAN_ROUTES = "plan_routes", _("安排上门接种路线")
    MANAGE_VACCINES = "manage_vaccines", _("维护疫苗产品和接种规则")
    VIEW_REPORTS = "view_reports", _("查看日报和统计")
    VIEW_AUDIT = "view_audit", _("查看审计记录（谁查看了完整号码、谁修改了规则和组织）")
    CHANGE_APPOINTMENTS = "change_appointments", _("取消预约、登记未到")
    OPEN_ROUTES = "open_routes", _("打开上门接种路线（司机只看自己所在的路线）")
    VIEW_UNIT_FIGURES = "view_unit_figures", _("查看派出单位的下沉动员情况")
    VIEW_MEASURES = "view_measures", _("查看涉疫人员和管控情况")
    VERIFY_CASES = "verify_cases", _("登记推送人员、核实电话")
    PLACE_MEASURES = "place_measures", _("落控、变更和解除管控措施")
    REPORT_HEALTH = "report_health", _("登记体温、症状和核酸结果")
    HANDLE_ALERTS = "handle_alerts", _("确认和处置预警")
    MANAGE_MEASURE_RULES = "manage_measure_rules", _("维护管控规则和防控方案版本")


R = Role
# Everyone who works with the register (not drivers, not volunteer coordinators).
WORK_WITH_THE_REGISTER = frozenset(
    {
        R.SUBDISTRICT_ADMIN,
        R.SUBDISTRICT_STAFF,
        R.LEADER,
        R.COMMUNITY_SECRETARY,
        R.COMMUNITY_WORKER,
        R.GRID_WORKER,
        R.SECONDED_CADRE,
        R.MEDICAL_STAFF,
    }
)
# Outreach is door-to-door work: community staff, grid workers and seconded cadres.
DOOR_TO_DOOR = frozenset(
    {
        R.SUBDISTRICT_ADMIN,
        R.SUBDISTRICT_STAFF,
        R.COMMUNITY_SECRETARY,
        R.COMMUNITY_WORKER,
        R.GRID_WORKER,
        R.SECONDED_CADRE,
    }
)
# Who plans the day's slots and home-visit routes.
PLAN_THE_DAY = frozenset({R.SUBDISTRICT_ADMIN, R.SUBDISTRICT_STAFF, R.COMMUNITY_SECRETARY, R.MEDICAL_STAFF})

# Which roles hold each permission. Leaders read everything and change nothing;
# drivers and volunteer coordinators do not work with the register at all.
PERMISSIONS: dict[Perm, frozenset[Role]] = {
    Perm.VIEW_RESIDENTS: WORK_WITH_THE_REGISTER,
    Perm.EDIT_RESIDENTS: frozenset(
        {R.SUBDISTRICT_ADMIN, R.SUBDISTRICT_STAFF, R.COMMUNITY_SECRETARY, R.COMMUNITY_WORKER, R.GRID_WORKER}
    ),
    Perm.REVEAL_PERSONAL: frozenset(
        {
            R.SUBDISTRICT_ADMIN,
            R.SUBDISTRICT_STAFF,
            R.COMMUNITY_SECRETARY,
            R.COMMUNITY_WORKER,
            R.GRID_WORKER,
            R.MEDICAL_STAFF,
        }
    ),
    # Those who phone and visit their own residents every day need the numbers in
    # their lists; everybody else sees them masked.
    Perm.UNMASKED_LISTS: frozenset({R.COMMUNITY_SECRETARY, R.COMMUNITY_WORKER, R.GRID_WORKER}),
    Perm.VIEW_ORG: frozenset({R.SUBDISTRICT_ADMIN, R.SUBDISTRICT_STAFF, R.LEADER, R.COMMUNITY_SECRETARY}),
    Perm.MANAGE_ORG: frozenset({R.SUBDISTRICT_ADMIN, R.SUBDISTRICT_STAFF}),
    Perm.MANAGE_STAFF: frozenset({R.SUBDISTRICT_ADMIN}),
    Perm.VIEW_VACCINATION: WORK_WITH_THE_REGISTER,
    Perm.OUTREACH: DOOR_TO_DOOR,
    Perm.RECORD_DOSE: frozenset({R.SUBDISTRICT_ADMIN, R.MEDICAL_STAFF}),
    Perm.OVERRIDE_RULES: frozenset({R.MEDICAL_STAFF}),
    Perm.PLAN_ROUTES: PLAN_THE_DAY,
    Perm.MANAGE_VACCINES: frozenset({R.SUBDISTRICT_ADMIN}),
    Perm.VIEW_REPORTS: frozenset(
        {
            R.SUBDISTRICT_ADMIN,
            R.SUBDISTRICT_STAFF,
            R.LEADER,
            R.COMMUNITY_SECRETARY,
            R.COMMUNITY_WORKER,
            R.MEDICAL_STAFF,
        }
    ),
    # Who saw full numbers and who changed the rules and the organisation: the admin
    # answers for the system; the staff whose actions are logged do not read the log.
    Perm.VIEW_AUDIT: frozenset({R.SUBDISTRICT_ADMIN}),
    # Cancelling or marking a no-show: whoever books (outreach) or plans the day.
    Perm.CHANGE_APPOINTMENTS: DOOR_TO_DOOR | PLAN_THE_DAY,
    # The route pages: planners and vaccination staff, and drivers for their run sheet
    # (which routes each sees is vaccination.domain.appointments.routes_for).
    Perm.OPEN_ROUTES: WORK_WITH_THE_REGISTER | {R.DRIVER},
    # The seconded cadres' units: subdistrict roles (posted to the subdistrict) see every
    # unit, a cadre their own (OWN_UNIT_ONLY).
    Perm.VIEW_UNIT_FIGURES: frozenset({R.SUBDISTRICT_ADMIN, R.SUBDISTRICT_STAFF, R.LEADER, R.SECONDED_CADRE}),
    # People involved in the epidemic. Everyone of the register follows them (the health
    # center receives their alerts); the door-to-door roles phone them; the community's
    # own staff place them under measures and release them (cadres help, they do not
    # decide); reports and test results come from the door-to-door roles and the
    # health center, which also answers the alerts.
    Perm.VIEW_MEASURES: WORK_WITH_THE_REGISTER,
    Perm.VERIFY_CASES: DOOR_TO_DOOR,
    Perm.PLACE_MEASURES: DOOR_TO_DOOR - {R.SECONDED_CADRE},
    Perm.REPORT_HEALTH: DOOR_TO_DOOR | {R.MEDICAL_STAFF},
    Perm.HANDLE_ALERTS: (DOOR_TO_DOOR - {R.SECONDED_CADRE}) | {R.MEDICAL_STAFF},
    Perm.MANAGE_MEASURE_RULES: frozenset({R.SUBDISTRICT_ADMIN}),
}

# Where a role is posted: a grid worker needs a grid, a community role a community.
REQUIRED_POSTING: dict[Role, Scope] = {
    R.GRID_WORKER: Scope.GRID,
    R.COMMUNITY_SECRETARY: Scope.COMMUNITY,
    R.COMMUNITY_WORKER: Scope.COMMUNITY,
    R.SECONDED_CADRE: Scope.COMMUNITY,
}


# Roles seconded from a unit: their account names it (Staff.clean), and they see only
# that unit (Unit.visible_to).
OWN_UNIT_ONLY: frozenset[Role] = frozenset({R.SECONDED_CADRE})

# Outreach goes door to door in pairs: a seconded cadre beside a worker of the community
# the cadre was sent to. An attempt credits one of each (OutreachAttempt.worker and
# .cadre, the cadre's unit earning the figures of the units page): whoever logs it is
# credited on their side, and the companions offered are the other side's, in the
# resident's community (vaccination.domain.outreach.companions).
OUTREACH_CADRES: frozenset[Role] = frozenset({R.SECONDED_CADRE})
OUTREACH_WORKERS: frozenset[Role] = frozenset({R.COMMUNITY_SECRETARY, R.COMMUNITY_WORKER, R.GRID_WORKER})

# Who may be named for each place of a home-visit team, and who gives doses.
VACCINATORS: frozenset[Role] = frozenset({R.MEDICAL_STAFF})
ROUTE_TEAM: dict[str, frozenset[Role]] = {
    "doctor": VACCINATORS,
    "nurse": VACCINATORS,
    "driver": frozenset({R.DRIVER}),
    "community_worker": frozenset(
        {R.COMMUNITY_SECRETARY, R.COMMUNITY_WORKER, R.GRID_WORKER, R.SECONDED_CADRE, R.SUBDISTRICT_STAFF}
    ),
}

# Medical staff see the observations of the doses they or their site's team gave,
# wherever given (a home visit included), rather than by the residents' scope
# (vaccination.models.ObservationQuerySet.visible_to).
OBSERVES_OWN_TEAM: frozenset[Role] = frozenset({R.MEDICAL_STAFF})


# The health center answers for every alert of its subdistrict (a fever, a symptom, a
# positive test), wherever its doctor is posted: medical staff see the alerts of all the
# subdistrict's cases, the others those of their posting (measures.Alert.visible_to).
ALERTS_OF_THE_SUBDISTRICT: frozenset[Role] = frozenset({R.MEDICAL_STAFF})


def sees_subdistrict_alerts(user: Any) -> bool:
    return bool(user.is_authenticated) and getattr(user, "role", "") in ALERTS_OF_THE_SUBDISTRICT


def role_has(role: str, perm: Perm) -> bool:
    return role in PERMISSIONS[perm]


def may_see_unit_figures(user: Any) -> bool:
    """The units page: VIEW_UNIT_FIGURES, and a posting that covers units — the
    subdistrict, or (OWN_UNIT_ONLY) the cadre's own unit. A subdistrict role posted to
    one community sees no unit's figures."""
    return bool(user.can(Perm.VIEW_UNIT_FIGURES)) and (
        user.scope == Scope.SUBDISTRICT or user.role in OWN_UNIT_ONLY
    )


def may_see_safety_alerts(user: Any) -> bool:
    """The home page's alert of open serious adverse events: VIEW_VACCINATION, and a
    posting to the whole subdistrict, which answers for them (the hotline, the report
    upwards). A community's staff follow their residents' events on the safety page."""
    return bool(user.can(Perm.VIEW_VACCINATION)) and user.scope == Scope.SUBDISTRICT
