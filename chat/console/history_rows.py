"""History's table rows, rendered in Python as the tab rows are (chat.messaging.payloads):
the 50 rows' template, with an included template per row for each app's column, was a
fifth of the page's CPU time (docs/performance.md, seventh round). Everything a row shows
is escaped here (format_html); an app's cell is its column's `cell_html` (its own escaping),
else its `cell_template` rendered with the row's dialog."""

from django.template.loader import get_template
from django.utils import dateformat, timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from chat.messaging.payloads import avatar_html

_ROW = (
    '<tr class="history-row" data-dialog="{}">'
    '<td class="h-number">#{}</td>'
    '<td class="h-started"><time datetime="{}" data-fmt="datetime">{}</time></td>'
    '<td class="h-visitor"><div class="h-visitor-in"> {} <span class="h-visitor-text"> '
    '<a class="h-link" href="{}">{}</a> {}</span> </div></td>'
    '<td class="h-site">{}</td>'
    '<td class="h-operators">{}</td>'
    '<td class="h-status"><span class="status status-{}">{}</span></td>'
    '<td class="h-count num" title="{}"><span class="h-count-icon" aria-hidden="true">💬</span>'
    "{}</td>"
    "{}"
    '<td class="h-preview">{}</td>'
    "</tr>"
)
_NOBODY = mark_safe('<span class="muted">—</span>')


def _cell_renderer(column):
    if column.cell_html is not None:
        return column.cell_html
    template = get_template(column.cell_template)
    return lambda dialog: mark_safe(template.render({"dialog": dialog}))


def _contact(visitor) -> str:
    contact = visitor.email or visitor.phone
    if not contact:
        return ""
    return format_html('<span class="h-contact">{}</span> ', contact)


def rows_html(dialogs, columns) -> str:
    """The <tr> of each dialog of history.history_page(), newest first, as safe HTML."""
    cells = [_cell_renderer(column) for column in columns]
    messages_label = gettext("Messages")
    out = []
    for dialog in dialogs:
        visitor = dialog.visitor
        names = dialog.operator_names
        created = dialog.created_at
        out.append(
            format_html(
                _ROW,
                dialog.id,
                dialog.number,
                created.isoformat(),
                dateformat.format(timezone.localtime(created), "j M Y, H:i"),
                avatar_html(visitor),
                dialog.link,
                visitor.display_name,
                _contact(visitor),
                dialog.site.name,
                mark_safe(", ".join(conditional_escape(name) for name in names))
                if names
                else _NOBODY,
                dialog.status,
                dialog.status_label,
                messages_label,
                dialog.message_count,
                mark_safe("".join(cell(dialog) for cell in cells)),
                dialog.preview,
            )
        )
    return mark_safe("".join(out))
