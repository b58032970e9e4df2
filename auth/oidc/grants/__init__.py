"""Token endpoint grants, one class per grant type (RFC 6749 §4)."""

from auth.oidc.grants.authorization_code import AuthorizationCodeGrant
from auth.oidc.grants.base import TokenGrant
from auth.oidc.grants.client_credentials import ClientCredentialsGrant
from auth.oidc.grants.refresh_token import RefreshTokenGrant

GRANTS: dict[str, TokenGrant] = {
    g.grant_type: g for g in (AuthorizationCodeGrant(), RefreshTokenGrant(), ClientCredentialsGrant())
}

__all__ = ["GRANTS", "TokenGrant"]
