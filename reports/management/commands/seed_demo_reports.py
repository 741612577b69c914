"""A few weeks of history for the demo account, so that `make run` shows real reports:
dialogs at the hours a shop is busy, messages with realistic response times, leads, the
presence log of the demo operators; Anna gets the "can see reports" flag (Boris does not,
so the flag's effect shows). Run after seed_demo. Safe to run again: the history it
seeded before is replaced.

Rows are written directly (bulk_create): this is past data, no live event may fire."""

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from chat.models import Dialog, Message, Participant, Site, Visitor
from chat.visitors.animals import PAIRS
from leads.models import Lead
from operators.models import Account, Operator
from reports import facts
from reports.models import PresenceChange
from satisfaction.models import Rating, RatingSettings, Scale

TOKEN_PREFIX = "demo-history-"
ZONE = ZoneInfo("Europe/Moscow")
DAYS = 28
# Relative weight of each hour for a new dialog (Moscow time): a shop's day.
HOURS = [1, 1, 0, 0, 0, 0, 1, 2, 4, 8, 12, 14, 13, 10, 11, 13, 12, 10, 8, 6, 5, 4, 3, 2]
QUESTIONS = [
    "Здравствуйте! Есть ли эта модель в наличии?",
    "Hi, how long does delivery to Kazan take?",
    "Можно оплатить картой при получении?",
    "Do you ship abroad?",
    "Подскажите размер, рост 176",
    "Where is my order? Number 4512",
]
ANSWERS = [
    "Добрый день! Да, есть на складе, отправим сегодня.",
    "Hello! Two or three days by courier.",
    "Да, картой или наличными курьеру.",
    "Yes, to most countries, the price shows at checkout.",
    "Вам подойдёт размер M.",
    "It left the warehouse yesterday, here is the tracking link.",
]
FOLLOW_UPS = ["Спасибо!", "Thanks, and the price?", "А скидка есть?", "Great, ordering now"]
REPLIES = ["Пожалуйста!", "It is 2 990 ₽.", "Да, 10 % по промокоду WELCOME.", "Thank you!"]


class Command(BaseCommand):
    help = "Seed a few weeks of dialogs, messages, leads and presence for the demo account."

    @transaction.atomic
    def handle(self, *args, **options):
        account = Account.objects.filter(name="Demo company").first()
        if account is None:
            raise CommandError("Run seed_demo first: there is no demo account.")
        sites = list(Site.objects.filter(account=account).order_by("id"))
        operators = {op.user.username: op for op in account.operators.select_related("user")}
        if not sites or "anna" not in operators:
            raise CommandError("Run seed_demo first: the demo sites and operators are missing.")
        Operator.objects.filter(pk=operators["anna"].pk).update(can_see_reports=True)

        # Replace what an earlier run seeded.
        Lead.objects.filter(visitor__token__startswith=TOKEN_PREFIX).delete()
        Visitor.objects.filter(token__startswith=TOKEN_PREFIX).delete()  # dialogs, messages
        rng = random.Random(2026)
        today = timezone.localdate(timezone=ZONE)
        first = today - timedelta(days=DAYS)
        PresenceChange.objects.filter(
            operator__account=account, at__lt=datetime.combine(today, time(), tzinfo=ZONE)
        ).delete()
        history = History(account, sites, operators, rng)
        for n in range(DAYS):
            history.day(first + timedelta(days=n))
        history.save()
        presence = seed_presence(operators, first, today, rng)
        # Written around the services, so no dialog_ended hook ran: the page's facts.
        facts.rebuild()
        self.stdout.write(
            f"Reports history: {len(history.dialogs)} dialogs, {len(history.messages)} messages, "
            f"{len(history.leads)} leads, {history.ratings} ratings, {presence} presence "
            f"changes over {DAYS} days; "
            "anna can see reports."
        )


class History:
    def __init__(self, account, sites, operators, rng):
        self.account, self.sites, self.rng = account, sites, rng
        self.anna, self.boris = operators["anna"], operators.get("boris")
        self.visitors, self.dialogs, self.messages, self.leads, self.stays = [], [], [], [], []
        self.plans = []

    def day(self, day: date):
        weekend = day.weekday() >= 5
        count = self.rng.randint(8, 15) if weekend else self.rng.randint(24, 40)
        for _ in range(count):
            hour = self.rng.choices(range(24), weights=HOURS)[0]
            start = datetime.combine(day, time(hour), tzinfo=ZONE) + timedelta(
                seconds=self.rng.randint(0, 3599)
            )
            self.dialog(start)

    def operator_for(self, site, start):
        local = start.astimezone(ZONE)
        if (
            self.boris
            and site == self.sites[0]
            and local.weekday() < 5
            and self.rng.random() < 0.45
        ):
            return self.boris
        return self.anna

    def dialog(self, start):
        rng = self.rng
        site = self.sites[0] if rng.random() < 0.75 or len(self.sites) == 1 else self.sites[1]
        n = len(self.visitors)
        visitor = Visitor(
            site=site,
            token=f"{TOKEN_PREFIX}{n}",
            animal=rng.choice(PAIRS),
            first_seen_at=start,
            last_seen_at=start,
            visits_count=1,
        )
        self.visitors.append(visitor)
        topic = rng.randrange(len(QUESTIONS))
        lines = [("visitor", None, QUESTIONS[topic], start)]
        night = not 9 <= start.astimezone(ZONE).hour < 20
        missed = rng.random() < (0.45 if night else 0.06)
        operator, missed_at = None, None
        if missed:
            missed_at = start + timedelta(minutes=3)
            end = start + timedelta(hours=rng.randint(2, 9))
            automatic = False
        else:
            operator = self.operator_for(site, start)
            wait = min(rng.lognormvariate(3.8, 0.8), 900)  # median ~45 s
            at = start + timedelta(seconds=wait)
            lines.append(("operator", operator, ANSWERS[topic], at))
            for _ in range(rng.randint(0, 3)):
                at += timedelta(seconds=rng.randint(20, 240))
                lines.append(("visitor", None, rng.choice(FOLLOW_UPS), at))
                at += timedelta(seconds=min(rng.lognormvariate(3.4, 0.7), 600))
                lines.append(("operator", operator, rng.choice(REPLIES), at))
            automatic = rng.random() < 0.3
            end = at + (
                timedelta(minutes=site.auto_close_minutes or 30)
                if automatic
                else timedelta(seconds=rng.randint(30, 300))
            )
        self.plans.append((visitor, site, start, end, missed_at, automatic, operator, lines))

    def save(self):
        Visitor.objects.bulk_create(self.visitors)
        number = Account.objects.filter(pk=self.account.pk).values_list(
            "last_dialog_number", flat=True
        )[0]
        for offset, (visitor, site, start, end, missed_at, automatic, _op, lines) in enumerate(
            self.plans, start=1
        ):
            last_kind, _o, last_text, last_at = lines[-1]
            self.dialogs.append(
                Dialog(
                    account=self.account,
                    site=site,
                    visitor=visitor,
                    number=number + offset,
                    status=Dialog.Status.CLOSED,
                    created_at=start,
                    accepted_at=lines[1][3] if len(lines) > 1 else None,
                    closed_at=end,
                    closed_automatically=automatic,
                    missed_at=missed_at,
                    last_message_at=last_at,
                    last_message_text=last_text[:200],
                    last_message_author=last_kind,
                )
            )
        Account.objects.filter(pk=self.account.pk).update(
            last_dialog_number=F("last_dialog_number") + len(self.plans)
        )
        Dialog.objects.bulk_create(self.dialogs)
        for dialog, plan in zip(self.dialogs, self.plans, strict=True):
            visitor, site, start, end, _m, _a, operator, lines = plan
            for kind, author, text, at in lines:
                self.messages.append(
                    Message(
                        dialog=dialog, author_kind=kind, operator=author, text=text, created_at=at
                    )
                )
            if operator:
                self.stays.append(
                    Participant(
                        dialog=dialog, operator=operator, joined_at=lines[1][3], left_at=end
                    )
                )
            if self.rng.random() < 0.12:
                self.leads.append(
                    Lead(
                        account=self.account,
                        site=site,
                        visitor=visitor,
                        dialog=dialog,
                        source=Lead.Source.INTRODUCE,
                        name=self.rng.choice(["Ivan", "Мария", "Olga", "Пётр", "Sam"]),
                        email="customer@example.com",
                        created_at=start + timedelta(minutes=1),
                    )
                )
        Message.objects.bulk_create(self.messages, batch_size=1000)
        Participant.objects.bulk_create(self.stays)
        Lead.objects.bulk_create(self.leads)
        self.save_ratings()

    def save_ratings(self):
        """About a third of the answered dialogs rated by their visitor a few minutes after
        the end, most of them well, some with a comment (the Reports page's ratings)."""
        scales = dict(
            RatingSettings.objects.filter(site__in=self.sites).values_list("site", "scale")
        )
        comments = [
            "Thank you, very quick!",
            "Спасибо, всё понятно",
            "Too slow",
            "Долго ждал ответа",
            "",
        ]
        rated = []
        for dialog, plan in zip(self.dialogs, self.plans, strict=True):
            operator, automatic = plan[6], plan[5]
            scale = scales.get(dialog.site_id, Scale.STARS)
            if not operator or automatic or scale == Scale.OFF or self.rng.random() > 0.35:
                continue
            score = self.rng.choices([5, 4, 3, 2, 1], weights=[50, 25, 10, 7, 8])[0]
            if scale == Scale.THUMBS:
                score = 5 if score >= 4 else 1
            comment = self.rng.choice(comments[:2] if score >= 4 else comments[2:])
            when = dialog.closed_at + timedelta(minutes=self.rng.randint(1, 9))
            rated.append(
                (
                    Rating(
                        dialog=dialog,
                        scale=scale,
                        score=score,
                        good=score >= 4,
                        comment=comment if self.rng.random() < 0.4 else "",
                        changeable_until=when + timedelta(minutes=10),
                    ),
                    when,
                )
            )
        ratings = Rating.objects.bulk_create([rating for rating, _when in rated])
        # created_at is auto_now_add (bulk_create sets it to now): the past times go in after,
        # in one UPDATE for them all (bulk_update leaves auto_now fields as they are given).
        for rating, (_r, when) in zip(ratings, rated, strict=True):
            rating.created_at = rating.updated_at = when
        Rating.objects.bulk_update(ratings, ["created_at", "updated_at"])
        self.ratings = len(rated)


def seed_presence(operators, first: date, today: date, rng) -> int:
    """Anna works weekdays about 9-18 with a lunch break and some Saturdays; Boris weekdays
    about 10-19. Each change is a row, as reports.presence_log writes them."""
    rows = []
    shifts = {"anna": [(9, 13), (14, 18)], "boris": [(10, 14), (15, 19)]}
    for username, blocks in shifts.items():
        operator = operators.get(username)
        if operator is None:
            continue
        day = first
        while day < today:
            works = day.weekday() < 5 or (
                username == "anna" and day.weekday() == 5 and rng.random() < 0.5
            )
            if works:
                for start_hour, end_hour in blocks:
                    on = datetime.combine(day, time(start_hour), tzinfo=ZONE) + timedelta(
                        minutes=rng.randint(-15, 20)
                    )
                    off = datetime.combine(day, time(end_hour), tzinfo=ZONE) + timedelta(
                        minutes=rng.randint(-20, 25)
                    )
                    rows.append(
                        PresenceChange(operator=operator, online=True, status="online", at=on)
                    )
                    rows.append(
                        PresenceChange(operator=operator, online=False, status="offline", at=off)
                    )
            day += timedelta(days=1)
    PresenceChange.objects.bulk_create(rows)
    return len(rows)
