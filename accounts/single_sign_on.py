"""Single sign-on with OpenID Connect (Entra ID, or any standards-compliant provider), on
mozilla-django-oidc: who may sign in, who gets an account on their first sign-in, and
whether the provider's multi-factor authentication stands in for our own code.

The rules: the email address comes from the verified ID token; its domain must be a
SignInDomain (a superuser sets these); an existing, active account with that address (in
any case) is signed in; otherwise an account is made only for an open invitation from the
domain's organisation or a ClaimRoleMapping of that organisation that the token's claims
match. Anything else is refused (SignInRefused), and a page says why and whom to ask."""

import base64
import hashlib
import logging

import jwt
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from organisations import selectors as organisation_selectors
from organisations import services as organisation_services
from organisations.models import ClaimRoleMapping, Organisation, SignInDomain

logger = logging.getLogger(__name__)

BACKEND = "accounts.single_sign_on.SingleSignOnBackend"
# True in the session of a person whose provider said they gave a second factor.
PROVIDER_MFA = "single_sign_on_provider_mfa"
CLOCK_SKEW = 60  # seconds our clock and the provider's may disagree on a token's times


def provider_mfa_verified(request) -> bool:
    """Whether this session was signed in through single sign-on with the provider's
    multi-factor authentication (its `amr` claim said "mfa"): that counts as the second
    factor. A later sign-in with a password records another backend, so it does not."""
    session = request.session
    return session.get(BACKEND_SESSION_KEY) == BACKEND and session.get(PROVIDER_MFA) is True


class Refusal:
    """Why a sign-in through single sign-on was refused (the problem page says what to do)."""

    NO_EMAIL = "no_email"
    EMAIL_UNVERIFIED = "email_unverified"
    DOMAIN_NOT_SET_UP = "domain_not_set_up"
    NOT_INVITED = "not_invited"
    DEACTIVATED = "deactivated"
    AMBIGUOUS = "ambiguous"


class SignInRefused(Exception):
    """The provider vouched for the person, but our rules do not let them in."""

    def __init__(self, reason: str, email: str = "", organisation: Organisation | None = None):
        super().__init__(reason)
        self.reason = reason
        self.email = email
        self.organisation = organisation

    @property
    def domain(self) -> str:
        return email_domain(self.email)


def email_domain(email: str) -> str:
    return email.rpartition("@")[2].strip().lower()


def sign_in_domain_for(email: str) -> SignInDomain | None:
    domain = email_domain(email)
    if not domain:
        return None
    return SignInDomain.objects.select_related("organisation").filter(domain__iexact=domain).first()


class SingleSignOnBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend, stricter: the ID token's audience and issuer are
    checked (the library checks neither), any invalid token is refused rather than raising
    a server error, and the account comes from our rules above."""

    def authenticate(self, request, **kwargs):
        # Only the callback passes a nonce; a password sign-in never reaches the provider.
        if request is None or "nonce" not in kwargs:
            return None
        return super().authenticate(request, **kwargs)

    def verify_token(self, token, **kwargs):
        """The ID token's claims, or SuspiciousOperation for any token not signed by the
        provider for us: bad signature, another key or issuer or audience, expired, no kid."""
        try:
            return super().verify_token(token, **kwargs)
        except (jwt.InvalidTokenError, KeyError, ValueError) as error:
            raise SuspiciousOperation(f"ID token refused: {error!r}") from error

    def _verify_jws(self, payload, key):
        header = jwt.get_unverified_header(payload)
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation(f"ID token signed with {header.get('alg')!r}")
        return jwt.decode(
            payload,
            key,
            algorithms=[self.OIDC_RP_SIGN_ALGO],
            audience=self.OIDC_RP_CLIENT_ID,
            issuer=settings.OIDC_OP_ISSUER,
            options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            leeway=CLOCK_SKEW,
        )

    def get_userinfo(self, access_token, id_token, payload):
        """The verified ID token's claims, with what the userinfo endpoint adds (if there is
        one); the ID token's own claims win."""
        if not self.OIDC_OP_USER_ENDPOINT:
            return dict(payload)
        userinfo = super().get_userinfo(access_token, id_token, payload)
        if userinfo.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("The userinfo is about someone else than the ID token")
        return {**userinfo, **payload}

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        user = user_for_sign_in(claims=claims)
        user.provider_mfa = "mfa" in _as_list(claims.get("amr"))
        return user

    def get_user(self, user_id):
        # As Django's ModelBackend: a deactivated account's sessions end.
        return ModelBackend.get_user(self, user_id)


def user_for_sign_in(*, claims: dict) -> AbstractBaseUser:
    """The account a verified sign-in belongs to, made now if the rules allow; otherwise
    SignInRefused."""
    email = str(claims.get("email") or "").strip()
    if "@" not in email:
        raise SignInRefused(Refusal.NO_EMAIL)
    if claims.get("email_verified") is False:
        raise SignInRefused(Refusal.EMAIL_UNVERIFIED, email)
    sign_in_domain = sign_in_domain_for(email)
    if sign_in_domain is None:
        raise SignInRefused(Refusal.DOMAIN_NOT_SET_UP, email)
    organisation = sign_in_domain.organisation
    with transaction.atomic():
        # One first sign-in at a time per domain, so two at once cannot make two accounts.
        SignInDomain.objects.select_for_update().filter(pk=sign_in_domain.pk).get()
        users = list(get_user_model().objects.filter(email__iexact=email)[:2])
        if len(users) > 1:
            raise SignInRefused(Refusal.AMBIGUOUS, email, organisation)
        if users:
            if not users[0].is_active:
                raise SignInRefused(Refusal.DEACTIVATED, email, organisation)
            return users[0]
        return _provision(email=email, claims=claims, organisation=organisation)


def _provision(*, email: str, claims: dict, organisation: Organisation) -> AbstractBaseUser:
    invitation = organisation_selectors.invitation_pending_for(email, organisation=organisation)
    mapping = None if invitation else _matching_mapping(organisation=organisation, claims=claims)
    if invitation is None and mapping is None:
        raise SignInRefused(Refusal.NOT_INVITED, email, organisation)
    user = get_user_model().objects.create_user(
        username=_username_for(email),
        email=email,
        password=None,  # unusable: this person signs in through their organisation
        first_name=str(claims.get("given_name") or "")[:150],
        last_name=str(claims.get("family_name") or "")[:150],
    )
    if invitation is not None:
        try:
            organisation_services.invitation_accept_by_sign_in(invitation=invitation, user=user)
        except organisation_services.InvitationRefused as error:  # withdrawn meanwhile
            raise SignInRefused(Refusal.NOT_INVITED, email, organisation) from error
        how = "invitation"
    else:
        organisation_services.membership_grant_by_sign_in(
            organisation=organisation, user=user, role=mapping.role, mapping=mapping
        )
        how = f"claim {mapping.claim}"
    logger.info("Single sign-on made an account for %s at %s (%s)", email, organisation, how)
    return user


def _matching_mapping(*, organisation: Organisation, claims: dict) -> ClaimRoleMapping | None:
    """The organisation's first mapping (oldest first) whose claim holds its value."""
    mappings = ClaimRoleMapping.objects.filter(organisation=organisation).order_by("pk")
    for mapping in mappings:
        if mapping.value in map(str, _as_list(claims.get(mapping.claim))):
            return mapping
    return None


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _username_for(email: str) -> str:
    """The email address, which people recognise; a digest of it when that is taken or too
    long for a username."""
    username = email.lower()
    model = get_user_model()
    if len(username) <= 150 and not model.objects.filter(username__iexact=username).exists():
        return username
    return base64.urlsafe_b64encode(hashlib.sha256(username.encode()).digest()).decode()[:43]
