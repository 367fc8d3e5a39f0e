"""The one map from a place of work to its page.

Owns: `PAGES` — for each `workflow.places.Place`, the endpoint that shows it, the argument that
carries the object's id, and the fragment that scrolls to a unit's section — and `url_of`, which
the inbox (each task), the notice page (each allowed action), the bell (each notification) and the
mail sender (each message's link) all use. The engine names places; only this module knows pages.
A renamed endpoint fails loudly here (a test builds every place) rather than quietly sending people
somewhere else.
"""

from __future__ import annotations

from flask import current_app, has_request_context, url_for

from workflow.places import Place, Target

# place → (endpoint, the view argument that takes the id, the fragment naming a unit's section)
PAGES: dict[Place, tuple[str, str | None, str | None]] = {
    Place.NOTICE: ("notices.show", "notice_id", None),
    Place.DRAFT: ("drafting.edit", "notice_id", None),
    Place.AMEND: ("drafting.amend", "notice_id", None),
    Place.SIGNOFF: ("signoff.sheet", "notice_id", None),
    Place.ISSUE: ("dispatch.confirm", "notice_id", None),
    Place.ARCHIVE: ("dispatch.index", None, None),
    Place.TRACK: ("tracking.matrix", "notice_id", None),
    Place.HANDLE_RETURN: ("dispatch.returned", "receipt_id", None),
    Place.CHECK_REPORT: ("tracking.report", "report_id", None),
    Place.WRITE_REPORT: ("receiving.report", "report_id", None),
    Place.SIGN_FOR: ("receiving.index", None, "sign-{}"),
    Place.REPORT_DUE: ("receiving.index", None, "due-{}"),
    Place.INCOMING: ("incoming.show", "incoming_id", None),
    Place.AUDIT: ("admin.audit", None, None),
    Place.PASSWORD: ("auth.password", None, None),
}


def url_of(target: Target | str | None) -> str | None:
    """The page of `target` (or of a stored target's text); None for no target, or one whose
    place is no longer known. In a request the path is the request's (behind a prefix, with it);
    outside one — the mail sender — it is the path under the site's root, for `MAIL_BASE_URL`."""
    if not isinstance(target, Target):
        target = Target.parse(target)
    if target is None:
        return None
    endpoint, argument, fragment = PAGES[target.place]
    values = {argument: target.id} if argument else {}
    anchor = fragment.format(target.id) if fragment and target.id is not None else None
    if has_request_context():
        return url_for(endpoint, **values, **({"_anchor": anchor} if anchor else {}))
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return path + (f"#{anchor}" if anchor else "")
