"""Planning a day as a circuit: its stations, candidates and rota (``DayPlanDialog``)."""

from ui.centre.planning.day_plan_dialog import DayPlanDialog

__all__ = ["DayPlanDialog"]
