"""Models of the reviews app, one module per area so the graduated approach and the EHC work can
grow side by side: cycles.py (assess-plan-do-review, outcomes, meetings, contributions) and
ehc.py (needs assessments, EHC plans, annual reviews, LA rule profiles)."""

from .cycles import *  # noqa: F401,F403
from .ehc import *  # noqa: F401,F403
