"""50 staff browsing and logging sessions: teachers read their classes and pupils, TAs open their
day, the SENCO works the register. Sign-in happens once per simulated user."""

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
