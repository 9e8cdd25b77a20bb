"""Single sign-on through a real OpenID Connect provider: Node's oidc-provider, started by
these tests on 127.0.0.1 (accounts/tests/oidc_provider), and the live server, driven over
HTTP with cookies as a browser would (one test in Debian's Chromium). Nothing of the
protocol is mocked: the code, the token exchange, the JWKS and the ID token are real; the
tampered tokens come from a man in the middle of the token endpoint."""

import base64
import datetime
import fcntl
import html
import json
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import import_module
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import jwt
import pytest
import requests
import time_machine
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings as django_settings
from django.contrib import admin
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone
from django.utils.csp import CSP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from accounts.single_sign_on import BACKEND
from organisations.access import SYSTEM
from organisations.admin import SignInDomainForm
from organisations.models import ClaimRoleMapping, Invitation, Membership, SignInDomain
from organisations.services import invitation_send, membership_grant

live = pytest.mark.django_db(transaction=True)

PROVIDER_DIR = Path(__file__).parent / "oidc_provider"
CLIENT_ID = "rocu-tracker"
CLIENT_SECRET = "a-client-secret-for-the-tests-only-0123456789"
DOMAIN = "devon-cornwall.police.uk"
EDITORS_GROUP = "5f1c0a8e-tracker-editors"  # an Entra ID group's object id

MFA_USER = f"mfa.user@{DOMAIN}"
PASSWORD_USER = f"pwd.user@{DOMAIN}"
NEW_EDITOR = f"new.editor@{DOMAIN}"
INVITED = f"invited@{DOMAIN}"
STRANGER = f"stranger@{DOMAIN}"
LEAVER = f"leaver@{DOMAIN}"
AWAY = f"away@{DOMAIN}"  # signs in at the provider as an address at another domain


def _account(email, *, amr=("pwd",), groups=(), given_name="Sam", family_name="Jones"):
    claims = {
        "email": email,
        "email_verified": True,
        "given_name": given_name,
        "family_name": family_name,
        "name": f"{given_name} {family_name}",
        "groups": list(groups),
    }
    return {"amr": list(amr), "claims": claims}


# The provider's people, by the login hint (the email typed on our sign-in page).
ACCOUNTS = {
    MFA_USER: _account(MFA_USER, amr=("pwd", "mfa")),
    PASSWORD_USER: _account(PASSWORD_USER),
    NEW_EDITOR: _account(NEW_EDITOR, groups=[EDITORS_GROUP], given_name="Nia"),
    INVITED: _account(INVITED, given_name="Ivo"),
    STRANGER: _account(STRANGER, groups=["some-other-group"]),
    LEAVER: _account(LEAVER),
    AWAY: _account("someone@contractor.example"),
}


# --- The provider --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def provider_installed():
    """oidc-provider from its lock file, once, under a lock so parallel runs do not clash."""
    if not (shutil.which("node") and shutil.which("npm")):
        pytest.fail("The single sign-on tests need Node.js: apt-get install nodejs npm")
    lock_path = Path(tempfile.gettempdir()) / "rocu-tracker-oidc-provider-npm.lock"
    with lock_path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
            subprocess.run(
                ["npm", "ci", "--prefix", str(PROVIDER_DIR), "--no-audit", "--no-fund"],
                check=True,
                timeout=300,
            )


@pytest.fixture(scope="session")
def provider(provider_installed, live_server, tmp_path_factory):
    """The provider running on 127.0.0.1 for the whole session: its discovery document."""
    config = tmp_path_factory.mktemp("oidc_provider") / "config.json"
    redirect_uri = f"{live_server.url}{reverse('single_sign_on:callback')}"
    client = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}
    config.write_text(
        json.dumps({"client": {**client, "redirect_uris": [redirect_uri]}, "accounts": ACCOUNTS})
    )
    process = subprocess.Popen(
        ["node", str(PROVIDER_DIR / "provider.mjs"), str(config)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        ready, _, _ = select.select([process.stdout], [], [], 30)
        line = process.stdout.readline() if ready else ""
        if not line:
            pytest.fail("The OpenID Connect provider did not start (its errors are above)")
        issuer = json.loads(line)["issuer"]
        discovery = f"{issuer}/.well-known/openid-configuration"
        yield requests.get(discovery, timeout=10).json()
    finally:
        process.stdin.close()  # the provider exits when its input closes
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@pytest.fixture
def single_sign_on(settings, provider):
    """Single sign-on configured for the provider, as the settings' block does from the
    environment (its own test is test_the_settings_turn_single_sign_on_on_and_off)."""
    settings.SINGLE_SIGN_ON_ENABLED = True
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_OP_ISSUER = provider["issuer"]
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = provider["authorization_endpoint"]
    settings.OIDC_OP_TOKEN_ENDPOINT = provider["token_endpoint"]
    settings.OIDC_OP_JWKS_ENDPOINT = provider["jwks_uri"]
    settings.OIDC_OP_USER_ENDPOINT = provider["userinfo_endpoint"]
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, BACKEND]
    form_action = [CSP.SELF, _origin(provider["authorization_endpoint"])]
    settings.SECURE_CSP = {**settings.SECURE_CSP, "form-action": form_action}
    return provider


@pytest.fixture
def devon_and_cornwall(organisations):
    """Its domain signs in through single sign-on; its tracker editors' group maps to editor."""
    organisation = organisations["devon-and-cornwall"]
    SignInDomain.objects.create(organisation=organisation, domain=DOMAIN)
    ClaimRoleMapping.objects.create(
        organisation=organisation,
        claim="groups",
        value=EDITORS_GROUP,
        role=Membership.Role.EDITOR,
    )
    return organisation


def _person(email, organisation, *, active=True, authenticator=False):
    user = User.objects.create_user(
        username=email.split("@")[0], email=email.upper(), password="pw", is_active=active
    )
    membership_grant(user=user, organisation=organisation, role=Membership.Role.EDITOR, by=SYSTEM)
    if authenticator:
        TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    return user


# --- A browser over HTTP --------------------------------------------------------------------


class Visitor:
    """requests with cookies, as a person's browser: our pages and the provider's."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.http = requests.Session()

    def get(self, url: str, **kwargs) -> requests.Response:
        return self.http.get(urljoin(self.base_url, url), timeout=30, **kwargs)

    def start(self, email: str, *, next_url: str = "", follow: bool = True):
        """Type the email in "Sign in with your organisation's account" and continue."""
        page = self.get(reverse("login"))
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]
        data = {"csrfmiddlewaretoken": token, "email": email, "next": next_url}
        url = urljoin(self.base_url, reverse("single_sign_on:start"))
        return self.http.post(url, data=data, allow_redirects=follow, timeout=30)

    def to_callback(self, email: str) -> str:
        """Through the provider up to (not into) our callback: the address it sends back to."""
        response = self.start(email, follow=False)
        callback = urljoin(self.base_url, reverse("single_sign_on:callback"))
        for _ in range(12):
            location = urljoin(response.url, response.headers["Location"])
            if location.startswith(callback):
                return location
            response = self.http.get(location, allow_redirects=False, timeout=30)
        raise AssertionError("The provider never sent the browser back")

    def signed_in_as(self) -> User | None:
        key = self.http.cookies.get("sessionid")
        if not key:
            return None
        session = import_module(django_settings.SESSION_ENGINE).SessionStore(session_key=key)
        user_id = session.get(SESSION_KEY)
        return User.objects.get(pk=user_id) if user_id else None


@pytest.fixture
def visitor(live_server):
    """Someone at a browser (not pytest-playwright's `browser`)."""
    return Visitor(live_server.url)


def _text(response) -> str:
    """What a person reads: no tags, entities decoded, spaces collapsed."""
    content = response.content.decode()
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", content)).split())


PLANS = reverse("actionplans:list")
VERIFY = reverse("accounts:two_factor_verify")


# --- Signing in --------------------------------------------------------------------------


@live
def test_it_signs_in_with_the_providers_mfa_as_the_second_factor(
    single_sign_on, devon_and_cornwall, visitor
):
    devon_and_cornwall.two_factor_required = True
    devon_and_cornwall.save(update_fields=["two_factor_required"])
    person = _person(MFA_USER, devon_and_cornwall, authenticator=True)

    page = visitor.start(MFA_USER, next_url=PLANS)

    assert page.status_code == 200 and urlsplit(page.url).path == PLANS  # no code asked
    assert visitor.signed_in_as() == person
    assert urlsplit(visitor.get(reverse("home")).url).path != VERIFY


@live
def test_it_asks_for_its_own_code_when_the_provider_did_no_mfa(
    single_sign_on, devon_and_cornwall, visitor
):
    person = _person(PASSWORD_USER, devon_and_cornwall, authenticator=True)

    page = visitor.start(PASSWORD_USER, next_url=PLANS)

    assert urlsplit(page.url).path == VERIFY and f"next={PLANS}".replace("/", "%2F") in page.url
    assert "Enter your code" in page.text
    assert visitor.signed_in_as() == person
    assert urlsplit(visitor.get(PLANS).url).path == VERIFY  # still, until the code


# --- A first sign-in -------------------------------------------------------------------------


@live
def test_a_first_sign_in_makes_the_account_from_the_claim_mapping(
    single_sign_on, devon_and_cornwall, visitor
):
    page = visitor.start(NEW_EDITOR, next_url=PLANS)

    person = User.objects.get(email__iexact=NEW_EDITOR)
    assert page.status_code == 200 and urlsplit(page.url).path == PLANS
    assert visitor.signed_in_as() == person
    assert (person.username, person.first_name, person.last_name) == (NEW_EDITOR, "Nia", "Jones")
    assert not person.has_usable_password()
    membership = Membership.objects.get(user=person)
    assert (membership.organisation, membership.role) == (devon_and_cornwall, "editor")


@live
def test_a_first_sign_in_takes_up_the_invitation(single_sign_on, devon_and_cornwall, visitor):
    invitation = invitation_send(
        organisation=devon_and_cornwall, email=INVITED, role=Membership.Role.LEAD, by=SYSTEM
    )

    page = visitor.start(INVITED, next_url=PLANS)

    person = User.objects.get(email__iexact=INVITED)
    assert urlsplit(page.url).path == PLANS and visitor.signed_in_as() == person
    membership = Membership.objects.get(user=person)
    assert (membership.organisation, membership.role) == (devon_and_cornwall, "lead")
    invitation.refresh_from_db()
    assert invitation.accepted_by == person and invitation.accepted_at is not None


@live
def test_a_first_sign_in_without_invitation_or_mapping_is_refused_with_whom_to_ask(
    single_sign_on, devon_and_cornwall, visitor, organisations
):
    # An invitation from another organisation does not let them into this one.
    invitation_send(
        organisation=organisations["cambridgeshire"],
        email=STRANGER,
        role=Membership.Role.EDITOR,
        by=SYSTEM,
    )

    page = visitor.start(STRANGER, next_url=PLANS)

    assert page.status_code == 403
    assert page.headers["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    assert "You do not have access to ROCU Tracker yet" in _text(page)
    assert "Ask Devon and Cornwall Police's ROCU Tracker administrator to invite you" in _text(page)
    assert not User.objects.filter(email__iexact=STRANGER).exists()
    assert visitor.signed_in_as() is None
    assert Invitation.objects.get(email=STRANGER).accepted_at is None


@live
def test_a_deactivated_account_is_refused(single_sign_on, devon_and_cornwall, visitor):
    _person(LEAVER, devon_and_cornwall, active=False)

    page = visitor.start(LEAVER)

    assert page.status_code == 403 and "Your ROCU Tracker account is turned off" in _text(page)
    assert visitor.signed_in_as() is None


@live
def test_an_address_at_a_domain_without_single_sign_on_is_refused_with_a_clear_page(
    single_sign_on, devon_and_cornwall, visitor
):
    page = visitor.start(AWAY)  # the provider vouches for someone@contractor.example

    assert page.status_code == 403
    assert "Single sign-on is not set up for your organisation" in _text(page)
    assert "not set up for contractor.example" in _text(page)
    assert not User.objects.filter(email__iexact="someone@contractor.example").exists()
    assert visitor.signed_in_as() is None


# --- Stale and replayed answers --------------------------------------------------------------


@live
def test_an_answer_that_comes_back_too_late_signs_nobody_in(
    single_sign_on, devon_and_cornwall, visitor
):
    _person(MFA_USER, devon_and_cornwall)
    callback = visitor.to_callback(MFA_USER)

    later = timezone.now() + datetime.timedelta(seconds=django_settings.OIDC_STATE_LIFETIME + 60)
    with time_machine.travel(later, tick=True):
        page = visitor.get(callback)

    assert page.status_code == 400 and "This sign-in no longer works" in _text(page)
    assert visitor.signed_in_as() is None
    assert visitor.get(callback).status_code == 400  # and the state is gone


@live
def test_a_replayed_answer_signs_nobody_in(single_sign_on, devon_and_cornwall, visitor):
    person = _person(MFA_USER, devon_and_cornwall)
    callback = visitor.to_callback(MFA_USER)
    assert visitor.get(callback).status_code == 200 and visitor.signed_in_as() == person

    again = visitor.get(callback)
    elsewhere = Visitor(visitor.base_url)
    stolen = elsewhere.get(callback)

    assert again.status_code == 400 and "This sign-in no longer works" in _text(again)
    assert stolen.status_code == 400 and "Nobody has been signed in" in _text(stolen)
    assert elsewhere.signed_in_as() is None


# --- Tampered ID tokens ------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature_altered(token: str) -> str:
    header, payload, signature = token.split(".")
    altered = bytearray(_unb64(signature))
    altered[len(altered) // 2] ^= 0x01
    return f"{header}.{payload}.{_b64(bytes(altered))}"


def _claims(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def _email_altered(token: str) -> str:
    header, _, signature = token.split(".")
    payload = _b64(json.dumps({**_claims(token), "email": MFA_USER}).encode())
    return f"{header}.{payload}.{signature}"


def _signed_with_another_key(token: str) -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    kid = jwt.get_unverified_header(token)["kid"]
    claims = {**_claims(token), "email": MFA_USER}
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


def _unsigned(token: str) -> str:
    header = _b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    payload = _b64(json.dumps({**_claims(token), "email": MFA_USER}).encode())
    return f"{header}.{payload}."


@pytest.fixture
def token_endpoint_tampering(single_sign_on, settings):
    """A man in the middle of the token endpoint that alters the ID token with
    `proxy.tamper` (set by the test) and passes everything else on."""
    token_endpoint = single_sign_on["token_endpoint"]

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            headers = {"Content-Type": self.headers["Content-Type"]}
            answer = requests.post(token_endpoint, data=body, headers=headers, timeout=10)
            tokens = answer.json()
            if "id_token" in tokens:
                tokens["id_token"] = server.tamper(tokens["id_token"])
            data = json.dumps(tokens).encode()
            self.send_response(answer.status_code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.OIDC_OP_TOKEN_ENDPOINT = f"http://127.0.0.1:{server.server_port}/token"
    yield server
    server.shutdown()
    server.server_close()


@live
@pytest.mark.parametrize(
    "tamper", [_signature_altered, _email_altered, _signed_with_another_key, _unsigned]
)
def test_a_tampered_id_token_signs_nobody_in(
    token_endpoint_tampering, devon_and_cornwall, visitor, tamper
):
    _person(MFA_USER, devon_and_cornwall)  # whom the altered tokens claim to be
    _person(PASSWORD_USER, devon_and_cornwall)  # who signed in at the provider
    token_endpoint_tampering.tamper = tamper

    page = visitor.start(PASSWORD_USER, next_url=PLANS)

    assert page.status_code == 400 and "You could not be signed in" in _text(page)
    assert "could not be verified, so nobody has been signed in" in _text(page)
    assert visitor.signed_in_as() is None


@live
def test_the_man_in_the_middle_passes_an_untouched_token_on(
    token_endpoint_tampering, devon_and_cornwall, visitor
):
    """The proxy itself does not break sign-in: the refusals above are the tampering's."""
    person = _person(PASSWORD_USER, devon_and_cornwall)
    token_endpoint_tampering.tamper = lambda token: token

    visitor.start(PASSWORD_USER)

    assert visitor.signed_in_as() == person


@live
def test_an_id_token_from_another_issuer_is_refused(
    single_sign_on, settings, devon_and_cornwall, visitor
):
    _person(PASSWORD_USER, devon_and_cornwall)
    settings.OIDC_OP_ISSUER = "https://login.microsoftonline.com/another-tenant/v2.0"

    page = visitor.start(PASSWORD_USER)

    assert page.status_code == 400 and visitor.signed_in_as() is None


# --- In Chromium ---------------------------------------------------------------------------------


@live
def test_it_signs_in_through_the_provider_in_chromium(
    single_sign_on, devon_and_cornwall, page, live_server
):
    """A real browser holds the form's redirect to the provider to the page's form-action."""
    _person(MFA_USER, devon_and_cornwall, authenticator=True)

    page.goto(f"{live_server.url}{reverse('login')}?next={PLANS}")
    page.get_by_label("Your work email address").fill(MFA_USER)
    page.get_by_role("button", name="Continue").click()

    expect(page).to_have_url(f"{live_server.url}{PLANS}")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


AXE = Path(django_settings.BASE_DIR) / "rocu_tracker" / "tests" / "vendor" / "axe.min.js"
AXE_RUN = """async (tags) => (await axe.run(document, {
  runOnly: {type: 'tag', values: tags}, resultTypes: ['violations'],
})).violations.map(v => `${v.id}: ${v.nodes.map(n => n.target.join(' ')).join(', ')}`)"""
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def _accessibility_problems(page) -> list[str]:
    """axe-core's WCAG 2.2 AA violations, as rocu_tracker/tests/test_accessibility.py runs it
    on every other page, and the same one-h1 rule."""
    page.add_script_tag(path=str(AXE))
    problems = page.evaluate(AXE_RUN, WCAG)
    headings = page.locator("h1").count()
    return problems if headings == 1 else [*problems, f"{headings} h1 headings"]


@live
def test_the_single_sign_on_pages_pass_axe(
    single_sign_on, devon_and_cornwall, browser, live_server
):
    context = browser.new_context(bypass_csp=True, base_url=live_server.url)  # for axe-core
    page = context.new_page()
    problems = {}

    page.goto(reverse("login"))
    problems["the sign-in page"] = _accessibility_problems(page)
    page.get_by_label("Your work email address").fill("pat@example.org")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("alert")).to_contain_text("not set up for example.org")
    expect(page.get_by_label("Your work email address")).to_have_value("pat@example.org")
    problems["an email without single sign-on"] = _accessibility_problems(page)
    page.get_by_label("Your work email address").fill(STRANGER)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "You do not have access to ROCU Tracker yet"
    )
    problems["a refused first sign-in"] = _accessibility_problems(page)
    context.close()

    assert problems == dict.fromkeys(problems, [])


# --- The sign-in page ----------------------------------------------------------------------------


@pytest.fixture
def configured(settings):
    """Single sign-on on, for pages that never reach the provider."""
    settings.SINGLE_SIGN_ON_ENABLED = True
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = "https://provider.invalid/authorize"
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, BACKEND]


@pytest.mark.django_db
def test_an_email_at_a_domain_without_single_sign_on_is_told_so_and_offered_the_password(
    client, configured, devon_and_cornwall
):
    start = reverse("single_sign_on:start")
    page = client.post(start, {"email": "pat@example.org", "next": PLANS})

    text = _text(page)
    assert page.status_code == 400
    assert "There is a problem" in text and "Single sign-on is not set up for example.org" in text
    assert 'value="pat@example.org"' in page.content.decode()  # kept
    assert f'action="{reverse("login")}"' in page.content.decode() and "Password" in text
    assert f'name="next" value="{PLANS}"' in page.content.decode()


@pytest.mark.django_db
def test_a_configured_domain_goes_to_the_provider_with_the_email_as_login_hint(
    client, configured, devon_and_cornwall
):
    page = client.post(reverse("single_sign_on:start"), {"email": MFA_USER, "next": PLANS})
    assert page.status_code == 302 and page.url.startswith(reverse("single_sign_on:authenticate"))

    to_provider = client.get(page.url)

    assert to_provider.url.startswith("https://provider.invalid/authorize?")
    assert "login_hint=mfa.user%40devon-cornwall.police.uk" in to_provider.url
    assert "code_challenge_method=S256" in to_provider.url and "nonce=" in to_provider.url


@pytest.mark.django_db
def test_the_password_still_signs_in_beside_single_sign_on(client, configured, dc_editor):
    page = client.get(reverse("login"))
    assert "Sign in with your organisation's account" in _text(page)

    response = client.post(reverse("login"), {"username": "alice", "password": "pw"})

    assert response.status_code == 302 and client.session[SESSION_KEY] == str(dc_editor.pk)


@pytest.mark.django_db
def test_without_configuration_there_is_no_single_sign_on(client, settings):
    settings.SINGLE_SIGN_ON_ENABLED = False

    page = client.get(reverse("login"))

    assert "organisation's account" not in _text(page) and "Password" in _text(page)
    assert client.post(reverse("single_sign_on:start"), {"email": MFA_USER}).status_code == 404
    assert client.get(reverse("single_sign_on:start")).status_code == 404
    assert client.get(reverse("single_sign_on:authenticate")).status_code == 404
    assert client.get(reverse("single_sign_on:callback")).status_code == 404


def _settings_in_a_fresh_process(**environment) -> subprocess.CompletedProcess:
    script = (
        "import json; from django.conf import settings; "
        "print(json.dumps([settings.SINGLE_SIGN_ON_ENABLED, settings.AUTHENTICATION_BACKENDS,"
        " [str(source) for source in settings.SECURE_CSP['form-action']]]))"
    )
    base = {key: value for key, value in os.environ.items() if not key.startswith("OIDC_")}
    return subprocess.run(
        [sys.executable, "-c", script],
        env={**base, "DJANGO_SETTINGS_MODULE": "rocu_tracker.settings", **environment},
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_settings_turn_single_sign_on_on_and_off():
    tenant = "https://login.microsoftonline.com/00000000-aaaa"
    off = _settings_in_a_fresh_process()
    incomplete = _settings_in_a_fresh_process(OIDC_RP_CLIENT_ID="rocu")
    on = _settings_in_a_fresh_process(
        OIDC_RP_CLIENT_ID="rocu",
        OIDC_RP_CLIENT_SECRET="secret",
        OIDC_OP_ISSUER=f"{tenant}/v2.0",
        OIDC_OP_AUTHORIZATION_ENDPOINT=f"{tenant}/oauth2/v2.0/authorize",
        OIDC_OP_TOKEN_ENDPOINT=f"{tenant}/oauth2/v2.0/token",
        OIDC_OP_JWKS_ENDPOINT=f"{tenant}/discovery/v2.0/keys",
    )

    enabled, backends, _ = json.loads(off.stdout)
    assert not enabled and BACKEND not in backends
    assert incomplete.returncode != 0 and "ImproperlyConfigured" in incomplete.stderr
    assert "OIDC_OP_TOKEN_ENDPOINT" in incomplete.stderr
    enabled, backends, form_action = json.loads(on.stdout)
    assert enabled and backends[-1] == BACKEND
    assert form_action == ["'self'", "https://login.microsoftonline.com"]


# --- Sign-in domains, set by superusers in the admin -------------------------------------------


@pytest.mark.django_db
def test_a_sign_in_domain_is_kept_as_the_part_after_the_at_in_lower_case(devon_and_cornwall):
    form = SignInDomainForm(
        data={"organisation": devon_and_cornwall.pk, "domain": " @Cornwall.Police.UK "}
    )
    assert form.is_valid(), form.errors
    assert form.save().domain == "cornwall.police.uk"
    assert not SignInDomainForm(
        data={"organisation": devon_and_cornwall.pk, "domain": "alice@police.uk"}
    ).is_valid()


@pytest.mark.django_db
def test_only_superusers_may_see_or_set_sign_in_domains(rf, django_user_model):
    model_admin = admin.site._registry[SignInDomain]
    request = rf.get("/admin/")
    request.user = django_user_model.objects.create_user("staff", is_staff=True)
    assert not model_admin.has_module_permission(request)
    assert not model_admin.has_view_permission(request)
    assert not model_admin.has_add_permission(request)
    request.user = django_user_model.objects.create_superuser("root")
    assert model_admin.has_add_permission(request) and model_admin.has_change_permission(request)
