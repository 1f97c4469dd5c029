"""`python -m tests.oidc_provider --port P --redirect-uri URI --db PATH`: set up the provider
(one person, one client: Broadsheet) and serve it on 127.0.0.1:P until killed."""

import argparse
import os
import sys

USERNAME, PASSWORD, EMAIL = "pat", "pat's passphrase", "pat@example.net"
CLIENT_ID, CLIENT_SECRET = "broadsheet", "broadsheet's client secret"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--redirect-uri", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--code-seconds", default="60")
    args = parser.parse_args()
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.oidc_provider.settings"
    os.environ["OIDC_PROVIDER_DB"] = args.db
    os.environ["OIDC_CODE_SECONDS"] = args.code_seconds
    os.environ["OIDC_PUBLIC_URL"] = f"http://127.0.0.1:{args.port}"

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.core.servers.basehttp import run
    from django.core.wsgi import get_wsgi_application
    from oauth2_provider.models import Application

    call_command("migrate", verbosity=0)
    get_user_model().objects.create_user(
        USERNAME, EMAIL, PASSWORD, first_name="Pat", last_name="Provider"
    )
    Application.objects.create(
        name="Broadsheet",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=args.redirect_uri,
        algorithm=Application.RS256_ALGORITHM,
    )
    print("ready", flush=True)
    sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - quiet request logs for the test run
    run("127.0.0.1", args.port, get_wsgi_application(), threading=True)


if __name__ == "__main__":
    main()
