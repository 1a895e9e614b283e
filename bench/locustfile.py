"""50 staff browsing and logging sessions: teachers read their classes and pupils, TAs open their
day, the SENCO works the register. Sign-in happens once per simulated user.

Sign-in is a deliberately slow password hash (PBKDF2, about 1 s of CPU here), and fifty of them in
the first seconds hold both cores for most of a minute, so every request of that minute queues
behind them. The measured window therefore starts once everyone has signed in (the statistics are
reset then); the sign-ins are timed on their own and written to bench/out/signin.json."""

import datetime as dt
import json
import random
import re
import statistics
import time
from pathlib import Path

from locust import HttpUser, between, events, task

PASSWORD = "bench-password-123"
USERS = (
    ["secondary.senco"]
    + [f"140003.teacher{i}" for i in range(1, 13)]
    + [f"140003.ta{i}" for i in range(1, 9)]
)


SIGN_INS: list[float] = []  # ms, one per user
CLOCK = {"start": time.monotonic(), "all_in_after_s": None}


@events.test_start.add_listener
def _start_clock(**kwargs):
    CLOCK["start"] = time.monotonic()


@events.test_stop.add_listener
def _write_sign_ins(**kwargs):
    out = Path(__file__).parent / "out" / "signin.json"
    out.parent.mkdir(exist_ok=True)
    ms = sorted(SIGN_INS)
    out.write_text(json.dumps({
        "count": len(ms),
        "p50_ms": round(statistics.median(ms)) if ms else None,
        "max_ms": round(ms[-1]) if ms else None,
        "all_in_after_s": CLOCK["all_in_after_s"],
    }))  # fmt: skip


class Staff(HttpUser):
    wait_time = between(0.5, 2)

    def on_start(self):
        self.username = random.choice(USERS)
        started = time.perf_counter()
        page = self.client.get("/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        self.client.post(
            "/accounts/login/",
            {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": f"{self.host}/accounts/login/"},
        )
        SIGN_INS.append((time.perf_counter() - started) * 1000)
        self.pupil_links = []
        runner = self.environment.runner
        if len(SIGN_INS) == runner.target_user_count:
            # Everyone is in: the measured window starts now.
            CLOCK["all_in_after_s"] = round(time.monotonic() - CLOCK["start"], 1)
            runner.stats.reset_all()

    @task(3)
    def home(self):
        self.client.get("/")

    @task(3)
    def my_classes(self):
        response = self.client.get("/pupils/my-classes/", name="my classes")
        self.pupil_links = re.findall(r'href="(/pupils/[0-9a-f-]{36}/)"', response.text)[:20]

    @task(4)
    def pupil(self):
        if self.pupil_links:
            self.client.get(random.choice(self.pupil_links), name="pupil profile")

    @task(2)
    def register(self):
        if self.username.endswith("senco"):
            self.client.get("/pupils/register/", name="register")

    @task(2)
    def today(self):
        self.client.get("/provision/today/", name="TA today")

    @task(3)
    def log_session(self):
        """A TA opens a school day and saves one session's register (held, one pupil away),
        as the phone form does: POST with the CSRF token and the attended pupils."""
        if ".ta" not in self.username:
            return
        day = dt.date.today() - dt.timedelta(days=random.randint(1, 10))
        while day.weekday() > 4:
            day -= dt.timedelta(days=1)
        page = self.client.get(f"/provision/today/?date={day.isoformat()}", name="TA day")
        forms = re.findall(
            r'<form method="post" action="(/provision/groups/[0-9a-f-]{36}/sessions/[0-9-]+/)"'
            r"(.*?)</form>",
            page.text,
            re.S,
        )
        if not forms:
            return
        action, body = random.choice(forms)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
        attended = re.findall(r'name="attended" id="[^"]+" value="(\d+)"', body)
        if len(attended) > 1:
            attended.remove(random.choice(attended))
        with self.client.post(
            action,
            {"held": "1", "attended": attended, "note": "", "csrfmiddlewaretoken": token},
            headers={"Referer": f"{self.host}/provision/today/"},
            name="log session",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"session not saved: HTTP {response.status_code}")
