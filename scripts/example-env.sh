# Secrets for the example tenants in TenantConfigs/, and the sandbox clients they talk to (UMBRELLA's: the values
# examples/tenant-service/tenants.json carries, as a tenant service sends them).
# Local demo values only: source this file (`. scripts/example-env.sh`); never use them anywhere real.
export ACME_API_KEY="${ACME_API_KEY:-acme-demo-api-key-0001}"
export ACME_US_CLIENT_SECRET="${ACME_US_CLIENT_SECRET:-acme-us-demo-secret}"
export ACME_US_WEBHOOK_SECRET="${ACME_US_WEBHOOK_SECRET:-acme-us-webhook-secret-0001}"
export ACME_EU_CLIENT_SECRET="${ACME_EU_CLIENT_SECRET:-acme-eu-demo-secret}"
export ACME_EU_WEBHOOK_SECRET="${ACME_EU_WEBHOOK_SECRET:-acme-eu-webhook-secret-0001}"
export GLOBEX_API_KEY="${GLOBEX_API_KEY:-globex-demo-api-key-0001}"
export GLOBEX_CLIENT_SECRET="${GLOBEX_CLIENT_SECRET:-globex-demo-secret}"
export GLOBEX_WEBHOOK_SECRET="${GLOBEX_WEBHOOK_SECRET:-globex-webhook-secret-0001}"
export INITECH_API_KEY="${INITECH_API_KEY:-initech-demo-api-key-0001}"
export INITECH_CLIENT_SECRET="${INITECH_CLIENT_SECRET:-initech-demo-secret}"
export INITECH_WEBHOOK_SECRET="${INITECH_WEBHOOK_SECRET:-initech-webhook-secret-0001}"
export UMBRELLA_API_KEY="${UMBRELLA_API_KEY:-umbrella-demo-api-key-0001}"
export UMBRELLA_CLIENT_SECRET="${UMBRELLA_CLIENT_SECRET:-umbrella-demo-secret}"
export GGW_ADMIN_API_KEY="${GGW_ADMIN_API_KEY:-admin-demo-key-0001}"
# The example orgs send to the sandbox on this machine: a gateway takes only Genesys Cloud's own hosts unless told.
export GGW_ALLOW_GENESYS_HOSTS="${GGW_ALLOW_GENESYS_HOSTS:-127.0.0.1}"
