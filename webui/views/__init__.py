"""The blueprints, one per desk: parse the request, call one query or command, commit, render.

Views hand the engine `current_user.account` (the engine's User), never the Flask-Login wrapper.
Must not: run SQL, compare states or carry a business `if` (DESIGN.md convention 5).
"""

from webui.views import (  # noqa: E402  (the modules need this package to exist first)
    admin,
    auth,
    autosave,
    calendar,
    dispatch,
    drafting,
    inbox,
    incoming,
    notices,
    notifications,
    receiving,
    signoff,
    statistics,
    tracking,
    verify,
)

BLUEPRINTS = [auth.bp, notices.bp, inbox.bp, drafting.bp, signoff.bp, dispatch.bp, receiving.bp,
              tracking.bp, incoming.bp, admin.bp, notifications.bp, statistics.bp, calendar.bp,
              verify.bp, autosave.bp]
from webui.views import drafting_import  # noqa: E402, F401  (adds routes to drafting.bp)
