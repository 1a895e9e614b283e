"""50 staff browsing and logging sessions: teachers read their classes and pupils, TAs open their
day, the SENCO works the register. Sign-in happens once per simulated user."""

import datetime as dt
import random
import re

from locust import HttpUser, between, task

PASSWORD = "bench-password-123"
USERS = (
    ["secondary.senco"]
    + [f"140003.teacher{i}" for i in range(1, 13)]
    + [f"140003.ta{i}" for i in range(1, 9)]
)


class Staff(HttpUser):
    wait_time = between(0.5, 2)

    def on_start(self):
        self.username = random.choice(USERS)
        page = self.client.get("/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        self.client.post(
            "/accounts/login/",
            {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": f"{self.host}/accounts/login/"},
        )
        self.pupil_links = []

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
