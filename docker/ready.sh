#!/usr/bin/env bash
# The services' healthcheck: GET /ready on the given local port answers 200 (bash's /dev/tcp: the image
# needs no HTTP client).
exec 3<>"/dev/tcp/127.0.0.1/${1:?usage: ready.sh PORT}" || exit 1
printf 'GET /ready HTTP/1.0\r\n\r\n' >&3
IFS=' ' read -r -t 5 _ status _ <&3 && [ "$status" = 200 ]
