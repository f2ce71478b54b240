"""Steps the journeys share, written as a user takes them."""

import io
import re

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from PIL import Image
from playwright.sync_api import Page, expect

from cms.demo_data import DEMO_PASSWORD


def sign_in(page: Page, username: str, *, next_path: str = "") -> None:
    """Through the sign-in form, and its second step where the role asks for one: the
    code is the one the user's authenticator app shows now (the `orm` fixture is needed
    then, to read the device's key)."""
    page.goto(f"/accounts/login/{f'?next={next_path}' if next_path else ''}")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    if "/accounts/two-factor/" in page.url:
        page.get_by_label("验证码").fill(authenticator_code(username))
        page.get_by_role("button", name="登录").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/(login|two-factor)/"))


def authenticator_code(username: str) -> str:
    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def png(text: str = "scan") -> bytes:
    """A small real PNG: uploads are checked by their content, not only their name."""
    image = Image.new("RGB", (120, 80), "white")
    image.putpixel((len(text) % 120, 1), (0, 0, 0))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def upload(name: str) -> dict:
    return {"name": name, "mimeType": "image/png", "buffer": png(name)}
