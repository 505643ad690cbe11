# Shared by scripts/backup.sh and scripts/restore.sh (sourced, not run): gisplan's settings read
# the way django-environ reads them, and DATABASE_URL split for libpq. Expects ENV_FILE and die().
# --- settings, read the way django-environ reads them ------------------------------------------
dotenv_get() {  # KEY -> value in .env (last assignment wins, surrounding quotes removed); 1 if absent
  local key=$1 line val="" found=1
  [ -r "$ENV_FILE" ] || return 1
  while IFS= read -r line || [ -n "$line" ]; do
    if [[ $line =~ ^(export\ )?([A-Za-z_0-9]+)=(.*)$ ]] && [ "${BASH_REMATCH[2]}" = "$key" ]; then
      val=${BASH_REMATCH[3]}
      found=0
    fi
  done <"$ENV_FILE"
  [ "$found" -eq 0 ] || return 1
  if [[ $val =~ ^\'(.*)\'$ ]]; then
    val=${BASH_REMATCH[1]}
  elif [[ $val =~ ^\"(.*)\"$ ]]; then
    val=$(printf '%s' "${BASH_REMATCH[1]}" | sed -E 's/\\([^rnt])/\1/g')
  fi
  printf '%s' "$val"
}

setting() {  # KEY DEFAULT -> environment, else .env, else DEFAULT
  local val
  if [ -n "${!1:-}" ]; then
    printf '%s' "${!1}"
  elif val=$(dotenv_get "$1") && [ -n "$val" ]; then
    printf '%s' "$val"
  else
    printf '%s' "$2"
  fi
}

urldecode() {
  local s=${1//\\/\\\\}
  printf '%b' "${s//%/\\x}"
}

# Splits postgis://user:password@host:port/name?options into DB_* variables. DB_URI is a libpq URI
# *without* the password (safe for a command line); the password goes to PGPASSWORD.
parse_database_url() {
  local url=$1 rest authority userinfo=""
  case $url in
    postgis://* | postgres://* | postgresql://* | pgsql://*) ;;
    *) die "DATABASE_URL must look like postgis://user:password@host:port/name (got scheme '${url%%://*}')" ;;
  esac
  rest=${url#*://}
  DB_QUERY=""
  if [[ $rest == *\?* ]]; then
    DB_QUERY="?${rest#*\?}"
    rest=${rest%%\?*}
  fi
  [[ $rest == */?* ]] || die "DATABASE_URL names no database (postgis://user:password@host:port/name)"
  authority=${rest%%/*}
  DB_NAME_ENC=${rest#*/}
  if [[ $authority == *@* ]]; then
    userinfo=${authority%@*}
    DB_HOSTPORT=${authority##*@}
  else
    DB_HOSTPORT=$authority
  fi
  DB_USER_ENC=${userinfo%%:*}
  if [[ $userinfo == *:* ]]; then
    export PGPASSWORD
    PGPASSWORD=$(urldecode "${userinfo#*:}")
  fi
  DB_NAME=$(urldecode "$DB_NAME_ENC")
  DB_USER=$(urldecode "$DB_USER_ENC")
  DB_URI="postgresql://${DB_USER_ENC:+$DB_USER_ENC@}${DB_HOSTPORT}/${DB_NAME_ENC}${DB_QUERY}"
  DB_WHERE="database '$DB_NAME' on ${DB_HOSTPORT:-the local socket}${DB_USER:+ as $DB_USER}"
}
