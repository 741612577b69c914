"""HTML e-mail: our answers and transcripts carry a plain-text part and a simple HTML part
in which what people wrote is escaped text; an HTML-only mail from a visitor is read as
text."""

import pytest
from mail_cast import answer, left_visitor, reply
from mail_peers import wait_until

from chat.dialogs import lifecycle
from chat.models import Message
from mailchannel import addresses, parsing
from mailchannel.models import SiteMail

pytestmark = pytest.mark.django_db(transaction=True)


def parts(mail) -> tuple[str, str]:
    assert mail.get_content_type() == "multipart/alternative"
    plain = mail.get_body(preferencelist=("plain",)).get_content()
    html = mail.get_body(preferencelist=("html",)).get_content()
    return plain, html


def test_an_answer_has_a_plain_and_an_escaped_html_part(smtp, site, alice):
    site.name = "Shop & <Co>"
    site.save(update_fields=["name"])
    dialog = left_visitor(site)
    answer(alice, dialog, text='Try <script>alert("x")</script> & see')
    [sent] = wait_until(smtp.messages)
    plain, html = parts(sent["message"])
    assert 'Try <script>alert("x")</script> & see' in plain
    assert "Alice (Shop & <Co>) answered you:" in plain
    assert "Try &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; see" in html
    assert "Alice (Shop &amp; &lt;Co&gt;) answered you:" in html
    assert "<script>" not in html and "<Co>" not in html
    assert '<html lang="en">' in html and "Reply to this e-mail to continue the chat." in html


def test_the_html_part_is_in_the_visitors_language(smtp, make_site, make_operator):
    site = make_site(name="Магазин", language="ru")
    alice = make_operator(username="alice", display_name="Алиса", sites=[site])
    answer(alice, left_visitor(site), text="Да, в воскресенье.")
    [sent] = wait_until(smtp.messages)
    plain, html = parts(sent["message"])
    assert "Алиса (Магазин) ответил(а) вам:" in plain
    assert "Алиса (Магазин) ответил(а) вам:" in html and '<html lang="ru">' in html


def test_a_transcript_has_an_html_part_too(smtp, site, alice):
    SiteMail.objects.create(site=site, send_transcripts=True)
    dialog = left_visitor(site)
    answer(alice, dialog, text="<b>Sunday</b>")
    lifecycle.end_dialog(operator=alice, dialog_id=dialog.pk)
    _answer, transcript = wait_until(lambda: len(smtp.messages()) == 2 and smtp.messages())
    plain, html = parts(transcript["message"])
    assert "Alice: <b>Sunday</b>" in plain
    assert "&lt;b&gt;Sunday&lt;/b&gt;" in html and "Do you deliver?" in html
    assert f"The transcript of your chat with {site.name} (#{dialog.number}):" in html


def test_an_html_only_reply_is_read_as_text_without_its_quote(smtp, mailbox, site, alice):
    from django.core.management import call_command

    dialog = left_visitor(site)
    answer(alice, dialog)
    html = (
        "<div dir='ltr'>Sunday&nbsp;is <i>fine</i>,<br>thanks!</div>"
        "<div class='gmail_quote'>On Mon, Shop wrote:<blockquote>Yes, on Sunday.</blockquote></div>"
    )
    raw = reply(to=addresses.reply_address(dialog.pk), text="placeholder")
    message = parsing.parse_bytes(raw)
    message.set_content(html, subtype="html")
    mailbox.append(message.as_bytes())
    call_command("mail_poll")
    last = Message.objects.filter(dialog=dialog).order_by("-id").first()
    assert last.text == "Sunday is fine,\nthanks!"


def test_html_to_text_keeps_the_words_and_drops_the_markup():
    text = parsing.html_to_text(
        "<style>x{}</style><h1>Title</h1><p>One &amp; two<br/>three</p>"
        "<table><tr><td>a</td><td>b</td></tr></table><pre>  code\n  here</pre>"
        "<p>broken <b>tag"
    )
    assert text == "Title\n\nOne & two\nthree\n\na b\n\n  code\n  here\n\nbroken tag"
