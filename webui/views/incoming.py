"""The 收文 desk: the unit's 收文登记簿, registering a 来文 from outside, and the 收文处理笺.

Owns: `/incoming/…` — the register (filters, paging, Excel export), the external registration
form, the page of one 收文 with the forms of exactly the actions the engine offers the user now
(拟办, 批办, 退回拟办, 传阅, 催阅, 转发, 已阅, 收回, 免阅, 办结, 归档), and its print view as PDF. Every view first
asks `workflow.queries.incoming`, which filters by the user's units: another unit's 收文 is a 404
whatever the method. The page of a 收文 is open to its readers (传阅) whatever their roles, so it
needs a login, not a desk. Must not: run SQL or decide anything.
"""

from __future__ import annotations

import io

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from itsdangerous import BadData, SignatureExpired, URLSafeTimedSerializer

from webui import autosave, clock
from webui.desks import desk_required
from webui.downloads import send_attachment, send_document
from webui.errors import refused_form
from webui.exports import Column, Table, local, send_table
from webui.extensions import attachment_store, db
from webui.forms.fields import id_argument
from webui.forms.incoming import (
    FREQUENT_INSTRUCTIONS,
    ArchiveForm,
    CirculateForm,
    FinishForm,
    ForwardForm,
    InstructForm,
    ProposeForm,
    ReadForm,
    ReasonForm,
    RegisterForm,
    WaiveForm,
)
from workflow import commands
from workflow.attachments import StoredFile
from workflow.deadlines import local_date
from workflow.errors import InvalidInput, NotFound
from workflow.queries import incoming as queries
from workflow.states import IncomingState, Role

bp = Blueprint("incoming", __name__, url_prefix="/incoming")
# The autosave key of the registration form (webui.autosave).
REGISTER_KEY = "incoming:register"


def _filters() -> queries.RegisterFilter:
    state = request.args.get("state", "")
    year = request.args.get("year", type=id_argument)
    return queries.RegisterFilter(
        state=IncomingState[state] if state in IncomingState.__members__ else None,
        year=year if year is not None and year < 10_000 else None,
        source=(request.args.get("source") or "").strip()[:100] or None,
        overdue=request.args.get("overdue") == "1")


@bp.get("/")
@desk_required("incoming")
def index():
    actor = current_user.account
    book = queries.register(db.session, actor, unit_id=request.args.get("unit", type=id_argument),
                            filters=_filters(), page=request.args.get("page", 1, type=int),
                            now=clock.now())
    return render_template("incoming/index.html", book=book, states=list(IncomingState),
                           tasks=queries.tasks(db.session, actor), kinds=queries.TASK_KINDS,
                           may_register=bool(queries.registering_units(db.session, actor)))


@bp.get("/export.xlsx")
@desk_required("incoming")
def export():
    book = queries.register(db.session, current_user.account,
                            unit_id=request.args.get("unit", type=id_argument),
                            filters=_filters(), now=clock.now(), everything=True)
    if book.unit is None:
        abort(404)
    columns = [Column("收文编号"), Column("收文日期", "date"), Column("来文机关"), Column("来文字号"),
               Column("标题"), Column("紧急程度"), Column("密级"), Column("办理类型"),
               Column("办理时限", "date"), Column("状态"), Column("逾期"), Column("登记时间", "datetime")]
    rows = [[i.number, i.received_on, i.source_organ, i.source_number or "", i.title,
             i.urgency.label, i.secrecy.label, i.kind.label if i.kind else "", i.deadline,
             i.state.label, "逾期" if book.overdue(i) else "", local(i.registered_at)]
            for i in book.rows]
    table = Table("收文登记簿", f"{book.unit.name}收文登记簿", columns, rows,
                  f"{book.unit.name}_收文登记簿")
    return send_table(table, "xlsx")


# A 来文 read on the form is kept in the store while the clerk checks the fields, and attached
# when they register it: the form carries a token naming the file, signed for this clerk. It lasts
# as long as the shortest sweep of unreferenced files (`flask attachments sweep --hours 1`).
HELD_FOR_SECONDS = 3600
_HELD_SALT = "gongwen.incoming.held-source-file"


def _held_token(stored: StoredFile, user_id: int) -> str:
    return URLSafeTimedSerializer(current_app.secret_key, salt=_HELD_SALT).dumps(
        {"key": stored.storage_key, "name": stored.filename, "size": stored.size,
         "user": user_id})


def _held_file(token: str, user_id: int) -> StoredFile:
    """The 来文 file this clerk read earlier on the form, still in the store, or InvalidInput."""
    serializer = URLSafeTimedSerializer(current_app.secret_key, salt=_HELD_SALT)
    try:
        held = serializer.loads(token, max_age=HELD_FOR_SECONDS)
    except SignatureExpired:
        raise InvalidInput("读取的来文原件已超过1小时，请重新选择文件") from None
    except BadData:
        raise InvalidInput("来文原件无效，请重新选择文件") from None
    if not isinstance(held, dict) or held.get("user") != user_id:
        raise InvalidInput("来文原件无效，请重新选择文件")
    try:
        attachment_store().open(held["key"]).close()
    except NotFound:  # swept from the store meanwhile
        raise InvalidInput("读取的来文原件已不在，请重新选择文件") from None
    return StoredFile(filename=held["name"], storage_key=held["key"], size=held["size"])


def _fill(values: dict, found: queries.DocumentFields) -> None:
    """What the clerk typed stands; the file fills only what was left empty (and the default
    紧急程度 and 密级)."""
    values["body"] = values.get("body") or found.text
    for name in ("source_organ", "source_number", "title"):
        values[name] = values.get(name) or getattr(found, name)
    for name in ("urgency", "secrecy"):
        if values.get(name) in ("NORMAL", "NONE", None) and getattr(found, name):
            values[name] = getattr(found, name).name


@bp.route("/register", methods=["GET", "POST"])
@desk_required("incoming", Role.RECEIVER)
def register():
    actor = current_user.account
    units = queries.registering_units(db.session, actor)
    # A registration refused by the engine (a bad file, a missing field) comes back here with what
    # was typed (webui.autosave keeps the refused post's fields).
    typed = autosave.typed(REGISTER_KEY) if request.method == "GET" else None
    form = RegisterForm(formdata=autosave.formdata(typed)) if typed else RegisterForm()
    fields = ("source_organ", "source_number", "title", "urgency", "secrecy", "body")
    if request.method == "GET" and typed is None:
        form.received_on.data = local_date(clock.now())
    if request.method == "POST" and request.form.get("read") and form.upload() is not None:
        # 读取来文: the reader fills the form from the file for the clerk to check; nothing is
        # registered yet (a bad file is refused in Chinese by the error handler). The file is
        # kept for the registration: the commit records nothing but keeps the stored file.
        upload = form.upload()
        data = upload.read()
        found = queries.document_fields(upload.filename, data)
        stored = attachment_store().save(io.BytesIO(data), upload.filename, session=db.session)
        db.session.commit()
        values = {name: getattr(form, name).data for name in fields}
        _fill(values, found)
        for name in fields:
            getattr(form, name).data = values[name] or ""
        flash("已按文件填写，请核对各项后登记；原件将随登记一并保存", "info")
        return render_template("incoming/register.html", form=form, units=units, read=True,
                               held=_held_token(stored, actor.id), held_name=stored.filename)
    held = (typed.fields.get("held_file", [None])[0] if typed
            else request.form.get("held_file")) or None
    if form.validate_on_submit():
        unit_id = request.form.get("unit_id", type=id_argument) or units[0].id
        values = {name: getattr(form, name).data for name in fields}
        if (upload := form.upload()) is not None:  # a file chosen now replaces one read before
            data = upload.read()
            _fill(values, queries.document_fields(upload.filename, data))
            stored = attachment_store().save(io.BytesIO(data), upload.filename,
                                             session=db.session)
        else:
            stored = _held_file(held, actor.id) if held else None
        made = commands.register_external(
            db.session, actor, unit_id=unit_id, received_on=form.received_on.data,
            pages=form.pages.data, copies=form.copies.data, source_file=stored,
            now=clock.now(), **values)
        number, made_id = made.number, made.id
        autosave.drop(REGISTER_KEY)
        db.session.commit()
        flash(f"已登记：{number}，请核对登记内容", "success")
        return redirect(url_for("incoming.show", incoming_id=made_id), 303)
    # A refused form is shown again, each message beside its field; it keeps the file it read (the name is shown only if the token is still good).
    held_name = None
    try:
        held_name = _held_file(held, actor.id).filename if held else None
    except InvalidInput:
        if request.method != "GET":
            raise
        held = None  # kept from a refused post and since expired: the file is chosen again
    return render_template("incoming/register.html", form=form, units=units, held=held,
                           held_name=held_name, typed=typed, typed_key=REGISTER_KEY), \
        400 if form.errors else 200


@bp.get("/<int:incoming_id>")
@login_required
def show(incoming_id: int):
    page = queries.incoming_page(db.session, current_user.account, incoming_id, now=clock.now())
    return render_template("incoming/show.html", page=page, i=page.incoming,
                           frequent=FREQUENT_INSTRUCTIONS)


@bp.get("/<int:incoming_id>/print.pdf")
@login_required
def print_pdf(incoming_id: int):
    from weasyprint import HTML  # heavy: loaded by the first print only

    page = queries.incoming_page(db.session, current_user.account, incoming_id, now=clock.now())
    html = render_template("incoming/print.html", page=page, i=page.incoming)
    return send_document(HTML(string=html).write_pdf(), mimetype="application/pdf",
                         filename=f"收文处理笺_{page.incoming.number}.pdf")


@bp.get("/<int:incoming_id>/files/<any(source, reply):which>")
@login_required
def file(incoming_id: int, which: str):
    """The 来文's own file, or the 答复 sent outside, to whoever may see the 收文."""
    return send_attachment(queries.incoming_file(db.session, current_user.account, incoming_id,
                                                 which))


def _page(incoming_id: int) -> str:
    return url_for("incoming.show", incoming_id=incoming_id)


def _back(incoming_id: int):
    return redirect(_page(incoming_id), 303)


def _seen(incoming_id: int) -> str:
    """Asked first on every action: another unit's 收文 is a 404, not the engine's 403."""
    return queries.incoming_for(db.session, current_user.account, incoming_id).number


def _done(incoming_id: int, message: str):
    db.session.commit()
    flash(message, "success")
    return _back(incoming_id)


@bp.post("/<int:incoming_id>/propose")
@login_required
def propose(incoming_id: int):
    number, form = _seen(incoming_id), ProposeForm()
    if not form.validate_on_submit():
        return refused_form(form, _page(incoming_id))
    commands.propose(db.session, current_user.account, incoming_id=incoming_id,
                     kind=form.kind.data, proposal=form.proposal.data,
                     lead_unit_id=form.lead_unit_id.data, assist_unit_ids=form.assist_unit_ids.data,
                     lead_person_id=form.lead_person_id.data, deadline=form.deadline.data, expected_version=form.expected_version.data,
                     now=clock.now())
    return _done(incoming_id, f"已拟办：{number}")


@bp.post("/<int:incoming_id>/instruct")
@login_required
def instruct(incoming_id: int):
    number, form = _seen(incoming_id), InstructForm()
    if not form.validate_on_submit():
        return refused_form(form, _page(incoming_id))
    commands.instruct(db.session, current_user.account, incoming_id=incoming_id,
                      instruction=form.text(), change_handlers=form.change_handlers.data,
                      lead_unit_id=form.lead_unit_id.data,
                      lead_person_id=form.lead_person_id.data,
                      assist_unit_ids=form.assist_unit_ids.data, deadline=form.deadline.data,
                      expected_version=form.expected_version.data, now=clock.now())
    return _done(incoming_id, f"已批办：{number}")


@bp.post("/<int:incoming_id>/return")
@login_required
def return_(incoming_id: int):
    number, form = _seen(incoming_id), ReasonForm()
    if not form.validate_on_submit():
        return refused_form(form, _page(incoming_id))
    commands.return_to_proposer(db.session, current_user.account, incoming_id=incoming_id,
                                reason=form.reason.data or "",
                                expected_version=form.expected_version.data, now=clock.now())
    return _done(incoming_id, f"已退回拟办：{number}")


@bp.post("/<int:incoming_id>/circulate")
@login_required
def circulate(incoming_id: int):
    number, form = _seen(incoming_id), CirculateForm()
    if not form.validate_on_submit():
        return refused_form(form, _page(incoming_id))
    sent = commands.circulate(db.session, current_user.account, incoming_id=incoming_id,
                                 reader_ids=form.reader_ids.data or [], now=clock.now())
    return _done(incoming_id, f"已送{len(sent)}人传阅：{number}")


@bp.post("/<int:incoming_id>/finish")
@login_required
def finish(incoming_id: int):
    number, form = _seen(incoming_id), FinishForm()
    if not form.validate_on_submit():
        return refused_form(form, _page(incoming_id))
    stored = None
    if (upload := form.upload()) is not None:
        stored = attachment_store().save(upload.stream, upload.filename, session=db.session)
    commands.finish(db.session, current_user.account, incoming_id=incoming_id,
                    result=form.result.data, reply_on=form.reply_on.data, reply_file=stored,
                    expected_version=form.expected_version.data, now=clock.now())
    return _done(incoming_id, f"已办结：{number}")


@bp.post("/<int:incoming_id>/archive")
@login_required
def archive(incoming_id: int):
    number, form = _seen(incoming_id), ArchiveForm()
    if not form.validate_on_submit():
        return refused_form(form, _page(incoming_id))
    commands.archive_incoming(db.session, current_user.account, incoming_id=incoming_id,
                              retention=form.retention.data,
                              expected_version=form.expected_version.data, now=clock.now())
    return _done(incoming_id, f"已归档：{number}")


def _copy_seen(incoming_id: int, circulation_id: int) -> str:
    """The 收文 is the user's to see, and the copy is one of its own (else a 404)."""
    incoming = queries.incoming_for(db.session, current_user.account, incoming_id)
    if circulation_id not in {c.id for c in incoming.circulations}:
        abort(404)
    return incoming.number


@bp.post("/<int:incoming_id>/copies/<int:circulation_id>/read")
@login_required
def read_copy(incoming_id: int, circulation_id: int):
    number, form = _copy_seen(incoming_id, circulation_id), ReadForm()
    if not form.validate_on_submit():
        return refused_form(form, _page(incoming_id))
    commands.mark_read_copy(db.session, current_user.account, circulation_id=circulation_id,
                            opinion=form.opinion.data, now=clock.now())
    return _done(incoming_id, f"已阅：{number}")


@bp.post("/<int:incoming_id>/forward")
@login_required
def forward(incoming_id: int):
    """转发: the unit's draft forwarding the notice down, opened for the drafter to complete."""
    _seen(incoming_id)
    form = ForwardForm()
    if not form.validate_on_submit():
        return refused_form(form, _page(incoming_id))
    notice = commands.forward(db.session, current_user.account, incoming_id=incoming_id,
                              lead_days=form.lead_days.data, now=clock.now())
    notice_id = notice.id
    db.session.commit()
    flash("已生成转发稿：请选择主送单位、核对报送要求后提交", "success")
    return redirect(url_for("drafting.edit", notice_id=notice_id), 303)


@bp.post("/<int:incoming_id>/remind-readers")
@login_required
def remind_readers(incoming_id: int):
    number = _seen(incoming_id)
    reminded = commands.remind_readers(db.session, current_user.account,
                                       incoming_id=incoming_id, now=clock.now())
    return _done(incoming_id, f"已催阅{len(reminded)}人：{number}")


@bp.post("/<int:incoming_id>/copies/<int:circulation_id>/recall")
@login_required
def recall_copy(incoming_id: int, circulation_id: int):
    number = _copy_seen(incoming_id, circulation_id)
    commands.recall(db.session, current_user.account, circulation_id=circulation_id,
                    now=clock.now())
    return _done(incoming_id, f"已收回传阅件：{number}")


@bp.post("/<int:incoming_id>/copies/<int:circulation_id>/waive")
@login_required
def waive_copy(incoming_id: int, circulation_id: int):
    number, form = _copy_seen(incoming_id, circulation_id), WaiveForm()
    if not form.validate_on_submit():
        return refused_form(form, _page(incoming_id))
    commands.waive(db.session, current_user.account, circulation_id=circulation_id,
                   reason=form.reason.data or "", now=clock.now())
    return _done(incoming_id, f"已免阅：{number}")
