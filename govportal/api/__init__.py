"""The portal's door for other systems: one versioned JSON API at ``/api/v1/``.

The core holds what every endpoint shares: the clients (OAuth2 client credentials through
django-oauth-toolkit, owned by an entity, with their scopes), authentication, the per-client rate
limit, the audit of every call, errors (JSON with a stable code and a translated message), cursor
pagination and the OpenAPI 3.1 document (django-ninja). Domain apps declare their endpoints as
ninja routers and hand them to ``registry.router_register`` from their ``ready()``, as they hand
their cards to the workspace: the core never imports them.
"""
