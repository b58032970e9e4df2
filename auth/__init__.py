"""Identity: accounts, the OAuth2/OpenID Connect provider, tokens, keys, consents and the
resource-server dependencies every other module uses."""
