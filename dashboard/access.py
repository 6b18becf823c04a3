"""Who is looking: the one place the dashboard learns the current viewer.

Every callback calls :func:`current_viewer` and passes the :class:`Viewer` to
:mod:`dashboard.answers`, built on :mod:`dashboard.mapdata`, which applies its clearance to
everything they return.
With sign-in configured (see :mod:`dashboard.auth`), the viewer is the signed-in
user, with what their role allows (:data:`dashboard.users.ROLE_POLICIES`);
without it, the dashboard answers only on this machine and the viewer is
:data:`LOCAL_VIEWER`.

>>> v = current_viewer()
>>> v.clearance.value, v.include_people, v.can_export
('internal', False, True)
>>> v.sees("public", "ngo"), v.sees("restricted", "ngo"), v.sees("public", "person")
(True, False, False)
"""

from __future__ import annotations

from dataclasses import dataclass

from graphmodel.kinds import SENSITIVITY_RANK, ActorKind, Sensitivity


@dataclass(frozen=True)
class Viewer:
    """A person using the dashboard and what they may see and do."""

    name: str
    role: str
    clearance: Sensitivity = Sensitivity.INTERNAL
    include_people: bool = False
    can_export: bool = True
    #: May review the queue and edit records (within the clearance), and revert their own changes.
    can_curate: bool = False
    #: May revert anyone's edit or judgement (administrators).
    can_revert_any: bool = False

    @property
    def rank(self) -> int:
        """The clearance as a rank (0 public, 1 internal, 2 restricted)."""
        return SENSITIVITY_RANK[self.clearance]

    def sees(self, sensitivity: Sensitivity | str, kind: ActorKind | str | None = None) -> bool:
        """Whether a record of this sensitivity (and, for an actor, this kind) is shown."""
        if kind is not None and str(getattr(kind, "value", kind)) == ActorKind.PERSON.value and not self.include_people:
            return False
        return SENSITIVITY_RANK[Sensitivity(getattr(sensitivity, "value", sensitivity))] <= self.rank

    @property
    def key(self) -> tuple[str, bool]:
        """What decides which records the viewer sees (for caches)."""
        return (self.clearance.value, self.include_people)


#: The viewer of a dashboard run on one's own machine: internal records, no people, may export and curate.
LOCAL_VIEWER = Viewer(name="local", role="analyst", clearance=Sensitivity.INTERNAL, include_people=False,
                      can_export=True, can_curate=True)


#: Who a request is when sign-in is configured but no one is signed in (the sign-in check refuses such
#: requests before any callback runs; this is the answer should one get through): public records only.
NOBODY = Viewer(name="nobody", role="none", clearance=Sensitivity.PUBLIC, include_people=False, can_export=False)


def current_viewer() -> Viewer:
    """The viewer of the current request: the signed-in user when sign-in is configured, else the local viewer."""
    from flask import has_request_context

    if has_request_context():
        from .auth import auth_installed, current_user

        if auth_installed():
            user = current_user()
            if user is None:
                return NOBODY
            policy = user.policy
            return Viewer(name=user.name, role=user.role.value, clearance=policy.clearance,
                          include_people=policy.include_people, can_export=policy.can_export,
                          can_curate=policy.can_curate, can_revert_any=policy.can_revert_any)
    return LOCAL_VIEWER
