import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from operators.models import Account, Operator

AUTO_CLOSE_MAX_MINUTES = 7 * 24 * 60  # a week


def new_widget_key():
    return secrets.token_urlsafe(12)


def new_visitor_token():
    return secrets.token_urlsafe(24)


class Site(models.Model):
    """A website that embeds the widget with its public key."""

    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="sites", verbose_name=_("account")
    )
    name = models.CharField(_("name"), max_length=200)
    domains = models.TextField(
        _("domains"),
        blank=True,
        help_text=_("One per line, e.g. example.com or *.example.com."),
    )
    widget_key = models.CharField(
        _("widget key"), max_length=32, unique=True, default=new_widget_key
    )
    widget_color = models.CharField(
        _("widget colour"),
        max_length=7,
        default="#2563eb",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", _("A colour like #2563eb."))],
    )
    # Empty title or greeting: the widget shows the default in its own language.
    widget_title = models.CharField(
        _("widget title"),
        max_length=100,
        blank=True,
        help_text=_("Empty: “Chat with us” in the widget’s language."),
    )
    greeting = models.CharField(
        _("greeting"),
        max_length=300,
        blank=True,
        help_text=_("Empty: “Hello! How can we help you?” in the widget’s language."),
    )
    language = models.CharField(
        _("widget language"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Empty: the widget follows the visitor's browser."),
    )
    operators = models.ManyToManyField(
        Operator, related_name="sites", blank=True, verbose_name=_("operators")
    )
    # New-dialog alerts (docs/operations.md, "Alerts"): while no operator has opened a new
    # dialog, consoles repeat the alert; past offer_after_seconds it is offered to every
    # online operator of the site, Web Push included.
    alert_repeat_seconds = models.PositiveIntegerField(
        _("repeat the new-dialog alert every (seconds)"),
        default=30,
        help_text=_("While nobody has opened a new dialog. 0: alert once."),
    )
    offer_after_seconds = models.PositiveIntegerField(
        _("offer to every online operator after (seconds)"),
        default=120,
        help_text=_("A new dialog nobody has opened is offered to all online operators."),
    )
    typing_preview = models.BooleanField(
        _("show what the visitor is typing"),
        default=True,
        help_text=_("Connected operators see the visitor's text before he sends it."),
    )
    # Dialogs whose visitor left do not pile up in Mine (chat/dialogs/autoclose.py): past this many
    # minutes with no widget of his open and no message, the dialog ends by itself.
    auto_close_minutes = models.PositiveIntegerField(
        _("end a dialog the visitor left after (minutes)"),
        default=30,
        validators=[MaxValueValidator(AUTO_CLOSE_MAX_MINUTES)],
        help_text=_(
            "When the visitor has had no chat window open and nobody has written in the "
            "dialog for this long, it ends by itself and moves to the dialog history. "
            "Missed dialogs stay. 0: never."
        ),
    )
    # Kept up to date by chat.console.presence so visitors can be told when it changes.
    operators_online = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def title_shown(self):
        """The widget's title in the active language when the admin left it empty."""
        return self.widget_title or _("Chat with us")

    @property
    def greeting_shown(self):
        return self.greeting or _("Hello! How can we help you?")

    @property
    def domain_list(self):
        return [d.strip().lower() for d in self.domains.split() if d.strip()]


class Visitor(models.Model):
    """A browser that opened the widget on one site, identified by a secret token."""

    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, related_name="visitors", verbose_name=_("site")
    )
    token = models.CharField(
        max_length=64, unique=True, default=new_visitor_token, verbose_name=_("token")
    )
    # Key into chat.visitors.animals: the anonymous nickname and icon, stable per visitor.
    animal = models.CharField(_("animal nickname"), max_length=40)
    name = models.CharField(_("name"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    visits_count = models.PositiveIntegerField(_("visits"), default=0)
    open_sockets = models.PositiveIntegerField(default=0, editable=False)
    first_seen_at = models.DateTimeField(_("first seen"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("last seen"), default=timezone.now)

    class Meta:
        verbose_name = _("visitor")
        verbose_name_plural = _("visitors")
        ordering = ["-last_seen_at"]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self):
        from chat.visitors.animals import nickname

        return self.name or nickname(self.animal)

    @property
    def is_online(self):
        return self.open_sockets > 0


class Visit(models.Model):
    """One visit: a run of activity without a 30-minute pause (CHAT_VISIT_TIMEOUT_MINUTES)."""

    visitor = models.ForeignKey(
        Visitor, on_delete=models.CASCADE, related_name="visits", verbose_name=_("visitor")
    )
    ip = models.GenericIPAddressField(_("IP"), null=True, blank=True)
    user_agent = models.TextField(_("user agent"), blank=True)
    landing_url = models.URLField(_("landing page"), max_length=2000, blank=True)
    referrer = models.URLField(_("referrer"), max_length=2000, blank=True)
    utm = models.JSONField(_("UTM parameters"), default=dict, blank=True)
    browser = models.CharField(_("browser"), max_length=100, blank=True)
    os = models.CharField(_("operating system"), max_length=100, blank=True)
    device = models.CharField(_("device"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=100, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    current_url = models.URLField(_("current page"), max_length=2000, blank=True)
    current_title = models.CharField(_("current page title"), max_length=300, blank=True)
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    last_activity_at = models.DateTimeField(_("last activity"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["visitor", "-last_activity_at"])]

    def __str__(self):
        return f"{self.visitor} @ {self.started_at:%Y-%m-%d %H:%M}"


class Dialog(models.Model):
    class Status(models.TextChoices):
        NEW = "new", pgettext_lazy("dialog status", "New")
        ACTIVE = "active", pgettext_lazy("dialog status", "Active")
        MISSED = "missed", pgettext_lazy("dialog status", "Missed")
        CLOSED = "closed", pgettext_lazy("dialog status", "Closed")

    OPEN_STATUSES = (Status.NEW, Status.ACTIVE, Status.MISSED)

    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="dialogs", verbose_name=_("account")
    )
    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, related_name="dialogs", verbose_name=_("site")
    )
    visitor = models.ForeignKey(
        Visitor, on_delete=models.CASCADE, related_name="dialogs", verbose_name=_("visitor")
    )
    visit = models.ForeignKey(
        Visit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="dialogs",
        verbose_name=_("visit"),
    )
    number = models.PositiveIntegerField(_("number"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.NEW
    )
    created_at = models.DateTimeField(_("started"), default=timezone.now)
    accepted_at = models.DateTimeField(_("first operator connected"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    missed_at = models.DateTimeField(_("missed"), null=True, blank=True)
    # Denormalised from the last message so that list pages need no per-row query.
    last_message_at = models.DateTimeField(_("last message"), default=timezone.now)
    last_message_text = models.CharField(
        max_length=200, blank=True, verbose_name=_("last message text")
    )
    last_message_author = models.CharField(
        max_length=10, blank=True, verbose_name=_("last message author")
    )
    # Visitor messages since the last operator message: what waits for an answer.
    unread_count = models.PositiveIntegerField(default=0, verbose_name=_("unread count"))
    # When the oldest unanswered visitor message was sent; None once an operator answers.
    waiting_since = models.DateTimeField(null=True, blank=True, verbose_name=_("waiting since"))
    # The visitor's messages up to this message id were seen by an operator (0: none).
    read_up_to = models.PositiveBigIntegerField(default=0, verbose_name=_("read up to"))
    # When the waiting new dialog was offered to every online operator (Site.offer_after_seconds).
    offered_at = models.DateTimeField(_("offered to all operators"), null=True, blank=True)

    class Meta:
        verbose_name = _("dialog")
        verbose_name_plural = _("dialogs")
        ordering = ["-last_message_at"]
        constraints = [
            models.UniqueConstraint(fields=["account", "number"], name="dialog_number_per_account"),
            models.UniqueConstraint(
                fields=["visitor"],
                condition=Q(status__in=["new", "active", "missed"]),
                name="one_open_dialog_per_visitor",
            ),
        ]
        indexes = [
            models.Index(fields=["site", "status", "-last_message_at"]),
            models.Index(fields=["account", "-created_at"]),
            models.Index(fields=["site", "-created_at"]),
            # The console's tab counts read every open dialog of my sites: with one site
            # holding 100,000 closed dialogs the planner scanned them all through the
            # site index (docs/performance.md, "Fourth round").
            models.Index(
                fields=["site"],
                condition=Q(status__in=["new", "active", "missed"]),
                name="open_dialogs_by_site",
            ),
        ]

    def __str__(self):
        return f"#{self.number}"

    @property
    def is_open(self):
        return self.status in self.OPEN_STATUSES


class ParticipantQuerySet(models.QuerySet):
    def connected(self):
        """The stays that have not ended: the operators in the dialog now."""
        return self.filter(left_at__isnull=True)


class Participant(models.Model):
    """An operator's stay in a dialog; a rejoin is a new row, so the card shows all."""

    dialog = models.ForeignKey(
        Dialog, on_delete=models.CASCADE, related_name="participants", verbose_name=_("dialog")
    )
    operator = models.ForeignKey(
        Operator,
        on_delete=models.CASCADE,
        related_name="participations",
        verbose_name=_("operator"),
    )
    joined_at = models.DateTimeField(default=timezone.now, verbose_name=_("joined at"))
    left_at = models.DateTimeField(null=True, blank=True, verbose_name=_("left at"))

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["joined_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["dialog", "operator"],
                condition=Q(left_at__isnull=True),
                name="one_active_stay_per_operator",
            )
        ]

    def __str__(self):
        return f"{self.operator} in {self.dialog}"


class MessageQuerySet(models.QuerySet):
    def for_visitor(self):
        """What the visitor's widget may show: all but the console-only system lines."""
        return self.exclude(author_kind=Message.Author.SYSTEM, operator__isnull=False)


class Message(models.Model):
    class Author(models.TextChoices):
        VISITOR = "visitor", _("Visitor")
        OPERATOR = "operator", _("Operator")
        SYSTEM = "system", _("System")

    dialog = models.ForeignKey(
        Dialog, on_delete=models.CASCADE, related_name="messages", verbose_name=_("dialog")
    )
    author_kind = models.CharField(_("author"), max_length=10, choices=Author.choices)
    operator = models.ForeignKey(
        Operator,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
        verbose_name=_("operator"),
    )
    text = models.TextField(_("text"), blank=True)
    # Chosen by the sending client; a resend with the same id stores nothing new.
    client_id = models.CharField(max_length=64, blank=True, verbose_name=_("client id"))
    created_at = models.DateTimeField(_("sent"), default=timezone.now)

    objects = MessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dialog", "client_id"],
                condition=~Q(client_id=""),
                name="message_client_id_once_per_dialog",
            )
        ]
        indexes = [models.Index(fields=["dialog", "id"])]

    def __str__(self):
        return self.text[:50]

    @property
    def console_only(self) -> bool:
        """A system line that names the operator whose action it tells (he blocked the
        visitor) is for operators only: the widget never gets it (for_visitor)."""
        return self.author_kind == self.Author.SYSTEM and self.operator_id is not None


def attachment_path(attachment, filename):
    # The stored name is random: the visitor's file name is kept in `name` only.
    return f"attachments/{timezone.now():%Y/%m}/{secrets.token_hex(16)}"


class Attachment(models.Model):
    """A file sent with a message, stored through Django's storage API."""

    message = models.OneToOneField(
        Message, on_delete=models.CASCADE, related_name="attachment", verbose_name=_("message")
    )
    file = models.FileField(upload_to=attachment_path, verbose_name=_("file"))
    name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size"))
    content_type = models.CharField(_("type"), max_length=100)
    width = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("width"))
    height = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("height"))
    thumbnail = models.FileField(upload_to=attachment_path, blank=True, verbose_name=_("thumbnail"))

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.name

    @property
    def is_image(self):
        return bool(self.thumbnail)


class BlockedIP(models.Model):
    """An address or network of the account's blacklist: the widget refuses it."""

    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="blocked_ips", verbose_name=_("account")
    )
    network = models.CharField(
        _("IP address or network"),
        max_length=50,
        help_text=_("An IPv4 or IPv6 address, or a CIDR range such as 203.0.113.0/24."),
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    blocked_by = models.ForeignKey(
        Operator,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("blocked by"),
    )
    visitor = models.ForeignKey(
        Visitor,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("visitor"),
    )
    created_at = models.DateTimeField(_("blocked at"), default=timezone.now)

    class Meta:
        verbose_name = _("blocked IP")
        verbose_name_plural = _("blocked IPs")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["account", "network"], name="blocked_network_once")
        ]

    def __str__(self):
        return self.network


class Invitation(models.Model):
    """One operator asks a colleague to join a dialog."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        CANCELLED = "cancelled", _("Cancelled")

    dialog = models.ForeignKey(
        Dialog, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("dialog")
    )
    inviter = models.ForeignKey(
        Operator, on_delete=models.CASCADE, related_name="+", verbose_name=_("inviter")
    )
    invitee = models.ForeignKey(
        Operator, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("invitee")
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, verbose_name=_("status")
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    answered_at = models.DateTimeField(null=True, blank=True, verbose_name=_("answered at"))

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["dialog", "invitee"],
                condition=Q(status="pending"),
                name="one_pending_invitation",
            )
        ]

    def __str__(self):
        return f"{self.inviter} -> {self.invitee} ({self.dialog})"
