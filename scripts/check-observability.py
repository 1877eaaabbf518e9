#!/usr/bin/env python3
"""Checks deploy/prometheus/alerts.yml and deploy/grafana/gateway.json against a live Prometheus that scrapes
a running gateway (scripts/check-observability.sh sets that up and sends the traffic).

Usage: check-observability.py --prometheus http://127.0.0.1:PORT --alerts FILE --dashboard FILE
                              [--deadline SECONDS] [--tenant T --org O]

Every check is retried until it passes or the deadline is reached (series appear only after the gateway has
sent, Prometheus has scraped twice and the rules were evaluated); the failures left at the deadline are printed
and the exit status is 1. What is checked:

1. Rules: Prometheus loaded every rule of alerts.yml (same names) and evaluates each without error.
2. Alert expressions return series. An alert expression is normally empty (`x > 0` keeps only the troubled
   orgs), so "returns nothing" would not tell a healthy org from a misspelt metric. The check therefore takes
   the expression apart at the top level (outside parentheses, braces, brackets and strings):
     - at the set operator `and`: both operands must hold (`or` / `unless` are refused: for them an empty
       side is normal, so decide per rule before using them);
     - at a comparison (==, !=, >, <, >=, <=): each side is queried on its own, without the comparison;
       a side that is a plain number (the threshold) is skipped; a vector-matching modifier after the
       operator (`on(...)`, `ignoring(...)`, `group_left(...)`, `bool`) is dropped from the right side.
   Each remaining piece (the "inner series") must return at least one series: then the metric exists under
   that name and those labels, and the aggregation and functions around it evaluate. For `up == 0` that is
   `up{job="genesys-gateway"}`, which also proves the scrape job has the name the rule expects.
3. Dashboard: every panel target, with the template variables replaced ($tenant/$org once by their "All" value
   and once by the faulted org given with --tenant/--org, a custom variable such as $job by its current value,
   $__rate_interval by 1m), returns at least one series; a query still naming a variable afterwards fails. Every
   template variable is checked by its type, and a type or form this script does not know fails (nothing is
   skipped):
     - `query`: must be `label_values(selector, label)` (answered through /api/v1/series) and list the faulted
       tenant/org; only $tenant and $org are known query variables (another one fails until this is extended);
     - `custom` / `constant`: each of its values, for every label the panel queries match the variable against
       (`job=~"$job"`), has series in Prometheus; a custom variable that no panel matches a label with fails;
     - `datasource`: must offer Prometheus data sources (the kind this check runs against).
4. Facts the injected faults must produce (given as --expect QUERY, e.g. the faulted org's 503 errors > 0) and
   alerts that must be active (--expect-alert NAME:tenant/org for an org's alert, NAME alone for one of a
   gateway instance): the rules catch the real condition, not only a synthetic one in promtool.
"""

import argparse
import json
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import yaml

COMPARISONS = ("==", "!=", ">=", "<=", ">", "<")
SET_OPERATORS = ("and", "or", "unless")


def top_level_split(expr, operators):
    """Splits `expr` at the operators that occur outside (), {}, [] and quoted strings.

    Returns [(piece, operator_before_it)], the first with operator None. Word operators (and, or, unless)
    only match as whole words."""
    pieces, depth, quote, start, i = [], 0, None, 0, 0
    previous = None
    while i < len(expr):
        c = expr[i]
        if quote:
            if c == "\\":
                i += 2
                continue
            if c == quote:
                quote = None
        elif c in "\"'`":
            quote = c
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif depth == 0:
            for op in operators:
                if not expr.startswith(op, i):
                    continue
                if op[0].isalpha():
                    before = expr[i - 1] if i > 0 else " "
                    after = expr[i + len(op)] if i + len(op) < len(expr) else " "
                    if before.isalnum() or before == "_" or after.isalnum() or after == "_":
                        continue
                elif op in (">", "<") and expr.startswith(op + "=", i):
                    continue  # `>=` / `<=` are matched as such (listed first)
                pieces.append((expr[start:i].strip(), previous))
                previous = op
                i += len(op)
                start = i
                break
            else:
                i += 1
                continue
            continue
        i += 1
    pieces.append((expr[start:].strip(), previous))
    return pieces


MODIFIER = re.compile(r"^(bool\b|(on|ignoring|group_left|group_right)\s*\([^)]*\))\s*")
NUMBER = re.compile(r"^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$")


def inner_queries(expr):
    """The pieces of an alert expression that must each return series (see the module docstring)."""
    expr = " ".join(expr.split())
    queries = []
    for operand, operator in top_level_split(expr, SET_OPERATORS):
        if operator in ("or", "unless"):
            raise ValueError(f"'{operator}' in an alert expression: decide how to check it, then extend this script")
        for side, comparison in top_level_split(operand, COMPARISONS):
            while comparison and MODIFIER.match(side):
                side = MODIFIER.sub("", side, count=1)
            if NUMBER.match(side):
                continue
            queries.append(side)
    return queries


class Prometheus:
    def __init__(self, base):
        self.base = base.rstrip("/")

    def get(self, path, params):
        url = f"{self.base}{path}?{urllib.parse.urlencode(params, doseq=True)}"
        with urllib.request.urlopen(url, timeout=10) as response:
            body = json.load(response)
        if body.get("status") != "success":
            raise RuntimeError(f"{path}: {body}")
        return body["data"]

    def query(self, promql):
        """The instant query's result as a list of series (a scalar counts as one)."""
        data = self.get("/api/v1/query", {"query": promql})
        if data["resultType"] in ("vector", "matrix"):
            return data["result"]
        return [data["result"]]

    def label_values(self, selector, label):
        series = self.get("/api/v1/series", {"match[]": selector, "start": time.time() - 600})
        return sorted({s[label] for s in series if label in s})


def substitute(expr, variables):
    # Longest names first so $__rate_interval is not taken for $__rate..., and ${name} as well as $name.
    for name in sorted(variables, key=len, reverse=True):
        expr = expr.replace("${" + name + "}", variables[name]).replace("$" + name, variables[name])
    return expr


LABEL_VALUES = re.compile(r"^\s*label_values\((?P<selector>.+),\s*(?P<label>\w+)\s*\)\s*$")
# A variable reference left in a query after substitution: $name or ${name}.
VARIABLE = re.compile(r"\$\{?([A-Za-z_]\w*)")
# Grafana's built-in variables, as the checks replace them.
GRAFANA_BUILTINS = {"__rate_interval": "1m", "__interval": "15s", "__range": "5m"}


def label_matched(expr, name):
    """The labels that `expr` matches against the variable `name` (`job=~"$job"`, `job="${job}"`)."""
    return re.findall(r'(\w+)\s*(?:=~|!~|!=|=)\s*"\$\{?' + re.escape(name) + r'\}?"', expr)


def build_checks(args, prom):
    """Returns ([(description, function returning an error string or None)], [(description, error)]): the checks
    to run against Prometheus, and the problems already certain from the files themselves."""
    checks, static_failures = [], []
    rules = yaml.safe_load(open(args.alerts))["groups"]
    alert_rules = [r for g in rules for r in g["rules"] if "alert" in r]

    def rules_loaded():
        data = prom.get("/api/v1/rules", {"type": "alert"})
        loaded = {r["name"]: r for g in data["groups"] for r in g["rules"]}
        missing = [r["alert"] for r in alert_rules if r["alert"] not in loaded]
        if missing:
            return f"not loaded by Prometheus: {missing}"
        broken = [f'{n}: {r.get("lastError")}' for n, r in loaded.items() if r.get("health") != "ok"]
        return f"rules not healthy: {broken}" if broken else None

    checks.append(("alerts.yml loaded, every rule evaluates (health ok)", rules_loaded))

    def returns_series(query):
        def check():
            result = prom.query(query)
            return None if result else "no series"
        return check

    def label_has_value(label, value):
        def check():
            found = prom.label_values('{%s="%s"}' % (label, value.replace("\\", "\\\\").replace('"', '\\"')), label)
            return None if value in found else "no series"
        return check

    for rule in alert_rules:
        for query in inner_queries(rule["expr"]):
            checks.append((f"alert {rule['alert']}: {query}", returns_series(query)))

    dashboard = json.load(open(args.dashboard))

    def panels(items):
        for panel in items:
            yield panel
            yield from panels(panel.get("panels", []))

    targets = [(panel, target) for panel in panels(dashboard["panels"]) for target in panel.get("targets", [])]
    # Every query the dashboard runs: its panels' and its query variables'.
    queries = [target["expr"] for _, target in targets] + [
        v["query"]["query"] if isinstance(v["query"], dict) else v["query"]
        for v in dashboard["templating"]["list"] if v.get("type") == "query"]
    # Grafana's own variables; every dashboard variable is added below, by its type.
    contexts = {"all tenants/orgs": dict(GRAFANA_BUILTINS), f"{args.tenant}/{args.org}": dict(GRAFANA_BUILTINS)}
    every_context, faulted_context = contexts.values()
    faulted = {"tenant": args.tenant, "org": args.org}
    query_variables = []
    for variable in dashboard["templating"]["list"]:
        name, kind = variable["name"], variable.get("type")
        if kind == "datasource":
            if variable.get("query") != "prometheus":
                static_failures.append((f"variable ${name} (datasource)",
                                        f"offers {variable.get('query')!r} data sources; this check runs against Prometheus"))
        elif kind in ("custom", "constant"):
            options = [value.strip() for value in str(variable.get("query", "")).split(",") if value.strip()]
            if kind == "constant":
                options = [str(variable.get("query", ""))]
            current = (variable.get("current") or {}).get("value")
            if not options:
                static_failures.append((f"variable ${name} ({kind})", "has no value"))
                continue
            value = current if current in options else options[0]
            for values in contexts.values():
                values[name] = value
            labels = sorted({label for expr in queries for label in label_matched(expr, name)})
            if not labels:
                static_failures.append((f"variable ${name} ({kind}): {options}",
                                        "no panel query matches a label with it: decide how to check it, then extend this script"))
            for label in labels:
                for option in options:
                    checks.append((f"variable ${name} ({kind}): series with {label}=\"{option}\"",
                                   label_has_value(label, option)))
        elif kind == "query":
            if name not in faulted:
                static_failures.append((f"variable ${name} (query)",
                                        "no value to check it with: this script knows $tenant and $org; extend it"))
                continue
            every_context[name] = (variable.get("allValue") or ".*") if variable.get("includeAll") else faulted[name]
            faulted_context[name] = faulted[name]
            query_variables.append(variable)
        else:
            static_failures.append((f"variable ${name} (type {kind!r})",
                                    "a kind of variable this script does not check: extend it"))

    for variable in query_variables:
        name = variable["name"]
        definition = variable["query"]  # what Grafana runs (`definition` is only its display)
        definition = definition["query"] if isinstance(definition, dict) else definition
        match = LABEL_VALUES.match(substitute(definition, faulted_context))
        if not match:
            static_failures.append((f"variable ${name}: {definition}",
                                    "not of the form label_values(selector, label), the only query variable checked here"))
            continue

        def check(match=match, must_contain=faulted[name]):
            found = prom.label_values(match["selector"], match["label"])
            return None if must_contain in found else f"{must_contain!r} not among {found}"
        checks.append((f"variable ${name}: {definition}", check))

    for panel, target in targets:
        for context, values in contexts.items():
            query = substitute(target["expr"], values)
            description = f"panel '{panel['title']}' {target['refId']} ({context}): {query}"
            left = sorted(set(VARIABLE.findall(query)))
            if left:
                static_failures.append((description, f"names variables the dashboard does not define: {left}"))
            else:
                checks.append((description, returns_series(query)))

    for query in args.expect:
        checks.append((f"expected non-empty: {query}", returns_series(query)))

    def alert_active(name, labels):
        def check():
            alerts = prom.get("/api/v1/alerts", {})["alerts"]
            states = [a["state"] for a in alerts if a["labels"].get("alertname") == name
                      and all(a["labels"].get(key) == value for key, value in labels.items())]
            return None if states else "not pending or firing"
        return check

    for spec in args.expect_alert:
        name, _, where = spec.partition(":")
        if where:
            tenant, _, org = where.partition("/")
            checks.append((f"alert {name} active for {tenant}/{org}", alert_active(name, {"tenant": tenant, "org": org})))
        else:
            checks.append((f"alert {name} active", alert_active(name, {})))
    return checks, static_failures


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--prometheus", required=True)
    parser.add_argument("--alerts", required=True)
    parser.add_argument("--dashboard", required=True)
    parser.add_argument("--tenant", required=True, help="the org with injected faults: its panels must all show data")
    parser.add_argument("--org", required=True)
    parser.add_argument("--expect", action="append", default=[], help="a PromQL query that must return series")
    parser.add_argument("--expect-alert", action="append", default=[],
                        help="NAME:tenant/org (or NAME, for an alert per gateway instance) that must be pending or firing")
    parser.add_argument("--deadline", type=float, default=90)
    args = parser.parse_args()

    prom = Prometheus(args.prometheus)
    checks, static_failures = build_checks(args, prom)
    pending = {description: check for description, check in checks}
    errors = {}
    deadline = time.monotonic() + args.deadline
    started = time.monotonic()
    while pending:
        for description, check in list(pending.items()):
            try:
                error = check()
            except (urllib.error.URLError, RuntimeError, OSError) as failure:
                error = f"query failed: {failure}"
            if error is None:
                del pending[description]
                errors.pop(description, None)
            else:
                errors[description] = error
        if not pending or time.monotonic() >= deadline:
            break
        time.sleep(2)

    passed = len(checks) - len(pending)
    for description in pending:
        print(f"FAIL {description}\n     {errors[description]}")
    # Wrong from the files alone (a variable of a kind not checked, a query naming an undefined variable): no
    # waiting changes them, so they were not retried, but they fail the run like any other check.
    for description, error in static_failures:
        print(f"FAIL {description}\n     {error}")
    total = len(checks) + len(static_failures)
    print(f"check-observability: {passed}/{total} checks passed in {time.monotonic() - started:.0f} s")
    return 1 if pending or static_failures else 0


if __name__ == "__main__":
    sys.exit(main())
