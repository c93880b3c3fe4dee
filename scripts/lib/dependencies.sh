# Installs the system packages Godwit builds and tests with, when any is missing (Debian/Ubuntu).
# Sourced by the scripts in scripts/.
godwit_install_dependencies() {
  local wanted=(libpq-dev libsqlite3-dev sqlite3 postgresql-15 postgresql-client-15 pgbouncer openssl "$@")
  local missing=()
  local package
  for package in "${wanted[@]}"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
  done
  ((${#missing[@]} == 0)) && return 0
  echo "installing: ${missing[*]}" >&2
  local sudo=()
  [[ $(id -u) == 0 ]] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
