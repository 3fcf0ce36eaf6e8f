"""Sign-in with the national identity platform (Ur; KRDPass in the Kurdistan Region) over OpenID Connect.

This is allauth's generic ``openid_connect`` provider, swapped in through allauth's documented
``SOCIALACCOUNT_PROVIDERS["openid_connect"]["provider_class"]`` hook, with two gaps of allauth
65.21 closed and nothing else changed (no OAuth or OIDC client code of our own):

- allauth skips the ID token's signature when the token came straight from the token endpoint
  (OpenID Connect Core §3.1.3.7 allows it over TLS); we have allauth check it anyway, with its
  own ``jwtkit.verify_and_decode`` against the provider's JWKS, as a defence in depth.
- allauth sends no ``nonce``; we send one and keep it in allauth's own login state, and the
  social account adapter compares it with the ID token's (see ``claims.py``).

PKCE, ``state``, ``iss``, ``aud``, ``exp`` and the one-time use of the state are allauth's.
"""
