-- wrk script for scripts/bench: POST the GraphQL request held in $BODY.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = os.getenv("BODY")
