"""Checks deploy/ without a cluster.

For every kustomization (deploy/overlays/dev, deploy/overlays/prod, deploy/monitoring):
  - kustomize builds it;
  - every built-in object validates, strictly (unknown fields rejected), against the
    Kubernetes OpenAPI schemas of the releases in K8S_VERSIONS (kubernetes-validate);
  - every Strimzi and Prometheus Operator object validates against its CRD schema
    (validate_crds.mjs), unknown fields rejected;
and the rules of issue 8, on every Deployment (and the wwctl Job's pod where they apply):
gRPC startup, readiness and liveness probes on the health port, requests and limits,
runAsNonRoot, allowPrivilegeEscalation false, capabilities drop ALL, readOnlyRootFilesystem,
terminationGracePeriodSeconds >= 30, a stable instance id; plus the overlays' promises (one
replica in dev; PDBs, HPAs, anti-affinity and NetworkPolicies in prod; the notifier one
replica, replaced with Recreate, let out only to DNS, Kafka, the alerter's gRPC, 443 and SMTP,
and its Atom feed port served and, in prod, open to the clients), the topics against
services/common/topics.cc, the dashboard and alert rules against the metric names, and the
Dockerfile's build packages against tools/dev/setup.

  python check_manifests.py --root REPO --kustomize BIN --node-modules DIR
Prints one line per check and "N passed, N failed"; exits 1 when any check failed.
"""
import argparse
import json
import re
import subprocess
import shutil
import sys
import tempfile
from pathlib import Path

import kubernetes_validate
import yaml

K8S_VERSIONS = ["1.31.0", "1.37.0"]  # the oldest release we support and the newest schemas
TARGETS = ["deploy/overlays/dev", "deploy/overlays/prod", "deploy/monitoring"]
CRD_GROUPS = ("kafka.strimzi.io", "core.strimzi.io", "monitoring.coreos.com")
SERVICES = ["ww-ingestor", "ww-deduper", "ww-tagger", "ww-alerter", "ww-notifier"]
# Services with stage loops: Kafka transactions with transactional ids "<group>-<pod name>".
STAGES = ["ww-deduper", "ww-tagger", "ww-alerter", "ww-notifier"]
# Services that must run exactly one pod, never two at once (so Recreate, not a surge):
# every notifier replica works off the whole outbox (ww.deliveries) and would send each
# delivery again.
SINGLETONS = ["ww-notifier"]
GRPC_PORT = 50051
FEED_PORT = 8080  # the notifier's Atom feed of alerts (--feed_listen)
METRICS = {
    "ww_records_in_total", "ww_records_out_total", "ww_records_deadlettered_total",
    "ww_transactions_total", "ww_consumer_lag", "ww_stage_batch_seconds",
    "ww_stage_batch_seconds_bucket", "ww_stage_batch_seconds_sum", "ww_stage_batch_seconds_count",
    "ww_alerts_raised_total", "ww_alert_subscribers", "ww_matcher_aliases",
    "ww_matcher_build_seconds", "ww_feeds_polled_total", "ww_dedup_duplicates_total",
    "ww_end_to_end_seconds", "ww_end_to_end_seconds_bucket", "ww_end_to_end_seconds_sum",
    "ww_end_to_end_seconds_count", "ww_alert_subscribers_dropped_total", "ww_articles_published_total",
    "ww_alert_publish_delay_seconds", "ww_alert_publish_delay_seconds_bucket",
    "ww_alert_publish_delay_seconds_sum", "ww_alert_publish_delay_seconds_count",
    "ww_deliveries_total", "ww_delivery_queue_depth", "ww_delivery_delay_seconds",
    "ww_delivery_delay_seconds_bucket", "ww_delivery_delay_seconds_sum",
    "ww_delivery_delay_seconds_count",
}
# services/common/topics.cc with the prefix "ww.": (compacted, retention.ms or None)
TOPICS = {
    "ww.feeds": (True, None), "ww.articles.raw": (False, 604800000),
    "ww.articles.unique": (False, 604800000), "ww.articles.duplicates": (False, 604800000),
    "ww.articles.tagged": (False, 604800000), "ww.alerts": (False, 2592000000),
    "ww.watchlist": (True, None), "ww.rules": (True, None), "ww.deadletter": (False, 2592000000),
    "ww.dedup.claims": (False, 604800000), "ww.destinations": (True, None),
    "ww.deliveries": (True, None), "ww.audit": (False, 31536000000),
}
# Topics of one partition in topics.cc (the others take the pipeline's partition count).
SINGLE_PARTITION = {"ww.feeds", "ww.watchlist", "ww.rules", "ww.deadletter", "ww.dedup.claims",
                    "ww.destinations", "ww.audit"}


class Checks:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            print(f"PASS {name}")
        else:
            self.failed += 1
            print(f"FAIL {name}" + (f": {detail}" if detail else ""))
        return ok


def build(kustomize, root, target):
    r = subprocess.run([kustomize, "build", str(root / target)], capture_output=True, text=True)
    if r.returncode != 0:
        return None, r.stderr.strip()
    return [d for d in yaml.safe_load_all(r.stdout) if d], ""


def validate_crds(objects, node_modules, script):
    if not objects:
        return []
    r = subprocess.run(["node", str(script), str(node_modules)], input=json.dumps(objects),
                       capture_output=True, text=True)
    if r.returncode != 0:
        return [{"ok": False, "errors": [r.stderr.strip()[-2000:]]} for _ in objects]
    return json.loads(r.stdout)


def k8s_errors(obj):
    errors = []
    for v in K8S_VERSIONS:
        try:
            kubernetes_validate.validate(obj, v, strict=True)
        except kubernetes_validate.ValidationError as e:
            errors.append(f"{v}: {e.message} at {'/'.join(map(str, e.path))}")
        except Exception as e:  # SchemaNotFoundError, InvalidSchemaError
            errors.append(f"{v}: {type(e).__name__}: {e}")
    return errors


def name_of(o):
    return f"{o['kind']}/{o['metadata']['name']}"


def check_pod(c, where, spec, *, probes=True, min_grace=30):
    """The issue's rules for one pod spec."""
    psc = spec.get("securityContext", {})
    containers = spec.get("containers", []) + spec.get("initContainers", [])
    for ct in containers:
        w = f"{where} container {ct['name']}"
        sc = ct.get("securityContext", {})
        c.check(f"{w}: runAsNonRoot", sc.get("runAsNonRoot", psc.get("runAsNonRoot")) is True)
        uid = sc.get("runAsUser", psc.get("runAsUser"))
        c.check(f"{w}: runs as a non-zero uid", isinstance(uid, int) and uid > 0, f"runAsUser={uid}")
        c.check(f"{w}: allowPrivilegeEscalation false", sc.get("allowPrivilegeEscalation") is False)
        c.check(f"{w}: capabilities drop ALL", "ALL" in sc.get("capabilities", {}).get("drop", []))
        c.check(f"{w}: readOnlyRootFilesystem", sc.get("readOnlyRootFilesystem") is True)
        c.check(f"{w}: not privileged", not sc.get("privileged", False))
        res = ct.get("resources", {})
        for kind in ("requests", "limits"):
            for r in ("cpu", "memory"):
                c.check(f"{w}: resources.{kind}.{r} set", r in res.get(kind, {}))
        c.check(f"{w}: image has a tag, not latest",
                ":" in ct.get("image", "") and not ct["image"].endswith(":latest"), ct.get("image", ""))
        if probes:
            ports = {p.get("name"): p.get("containerPort") for p in ct.get("ports", [])}
            c.check(f"{w}: a port named grpc is {GRPC_PORT}", ports.get("grpc") == GRPC_PORT, str(ports))
            for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
                p = ct.get(probe, {})
                c.check(f"{w}: {probe} is gRPC on the health port {GRPC_PORT}",
                        p.get("grpc", {}).get("port") == ports.get("grpc") == GRPC_PORT
                        and not {"httpGet", "tcpSocket", "exec"} & p.keys(), json.dumps(p))
            # Liveness asks the health service for "liveness" (a stalled stage loop), readiness
            # and startup for the overall status (joined the group, state loaded).
            c.check(f"{w}: livenessProbe asks for the liveness service",
                    ct.get("livenessProbe", {}).get("grpc", {}).get("service") == "liveness")
            c.check(f"{w}: readinessProbe asks for overall readiness",
                    ct.get("readinessProbe", {}).get("grpc", {}).get("service", "") == "")
            env = {e["name"]: e for e in ct.get("env", [])}
            iid = env.get("WW_INSTANCE_ID", {}).get("valueFrom", {}).get("fieldRef", {})
            c.check(f"{w}: WW_INSTANCE_ID is the pod name (transactional id)",
                    iid.get("fieldPath") == "metadata.name")
            c.check(f"{w}: preStop hook set", "preStop" in ct.get("lifecycle", {}))
    c.check(f"{where}: seccompProfile RuntimeDefault",
            psc.get("seccompProfile", {}).get("type") == "RuntimeDefault")
    c.check(f"{where}: no service account token mounted", spec.get("automountServiceAccountToken") is False)
    if probes:
        grace = spec.get("terminationGracePeriodSeconds", 30)
        c.check(f"{where}: terminationGracePeriodSeconds >= {min_grace}", grace >= min_grace, str(grace))
    # Every writable path is a volume: /tmp at least, since the root filesystem is read-only.
    mounts = {m["mountPath"] for ct in containers for m in ct.get("volumeMounts", [])}
    c.check(f"{where}: /tmp is a volume", "/tmp" in mounts)


def check_target(c, args, target, objects):
    by_kind = {}
    for o in objects:
        by_kind.setdefault(o["kind"], []).append(o)

    # Schemas.
    builtin = [o for o in objects if o["apiVersion"].split("/")[0] not in CRD_GROUPS]
    custom = [o for o in objects if o["apiVersion"].split("/")[0] in CRD_GROUPS]
    for o in builtin:
        errs = k8s_errors(o)
        c.check(f"{target}: {name_of(o)} valid against Kubernetes {', '.join(K8S_VERSIONS)}",
                not errs, "; ".join(errs))
    for o, r in zip(custom, validate_crds(custom, args.node_modules, args.crd_script)):
        c.check(f"{target}: {name_of(o)} valid against its CRD schema ({o['apiVersion']})",
                r["ok"], "; ".join(r["errors"]))

    # Every Deployment (and the ingestor's StatefulSet) and the wwctl Job.
    workloads = by_kind.get("Deployment", []) + by_kind.get("StatefulSet", [])
    for d in workloads:
        check_pod(c, f"{target}: {name_of(d)}", d["spec"]["template"]["spec"])
    for j in by_kind.get("Job", []):
        check_pod(c, f"{target}: {name_of(j)}", j["spec"]["template"]["spec"], probes=False)

    deployments = {d["metadata"]["name"]: d for d in workloads}
    if target.endswith("/monitoring"):
        check_monitoring(c, target, objects, args.root)
        return
    c.check(f"{target}: a Deployment (StatefulSet for the ingestor) per service",
            sorted(deployments) == sorted(SERVICES), str(sorted(deployments)))
    for s in by_kind.get("StatefulSet", []):
        cms = {cm["metadata"]["name"]: cm for cm in by_kind.get("ConfigMap", [])}
        env = s["spec"]["template"]["spec"]["containers"][0]
        refs = [e["configMapRef"]["name"] for e in env.get("envFrom", []) if "configMapRef" in e]
        count = [cms[r]["data"].get("WW_REPLICA_COUNT") for r in refs if r in cms and "WW_REPLICA_COUNT" in cms[r]["data"]]
        c.check(f"{target}: {name_of(s)} WW_REPLICA_COUNT equals its replicas",
                count == [str(s["spec"].get("replicas", 1))], f"{count} vs {s['spec'].get('replicas', 1)}")
    services = {s["metadata"]["name"] for s in by_kind.get("Service", [])}
    c.check(f"{target}: a Service per service", services >= set(SERVICES), str(sorted(services)))
    configmaps = {cm["metadata"]["name"].rsplit("-", 1)[0] for cm in by_kind.get("ConfigMap", [])}
    c.check(f"{target}: a ConfigMap per service and the watchlist",
            configmaps >= {f"{s}-config" for s in SERVICES} | {"ww-watchlist", "ww-common"}, str(sorted(configmaps)))
    check_kafka(c, target, by_kind)
    check_notifier_feed(c, target, by_kind, deployments)
    check_tokens(c, target, by_kind, deployments)
    for n in SINGLETONS:
        d = deployments.get(n, {})
        c.check(f"{target}: {n} runs one replica", d.get("spec", {}).get("replicas") == 1)
        c.check(f"{target}: {n} is replaced with Recreate (never two at once)",
                d.get("spec", {}).get("strategy", {}).get("type") == "Recreate")

    if target.endswith("/dev"):
        for n, d in deployments.items():
            c.check(f"{target}: {n} has one replica", d["spec"].get("replicas") == 1)
    if target.endswith("/prod"):
        pdbs = {p["spec"]["selector"]["matchLabels"].get("app.kubernetes.io/name")
                for p in by_kind.get("PodDisruptionBudget", [])}
        hpas = {h["spec"]["scaleTargetRef"]["name"]: h for h in by_kind.get("HorizontalPodAutoscaler", [])}
        for n, d in deployments.items():
            spec = d["spec"]["template"]["spec"]
            c.check(f"{target}: {n} has a PodDisruptionBudget", n in pdbs)
            if n in SINGLETONS:
                c.check(f"{target}: {n} has no HPA", n not in hpas)
                continue  # one replica: no anti-affinity to keep, checked above
            c.check(f"{target}: {n} has pod anti-affinity",
                    "podAntiAffinity" in spec.get("affinity", {}))
            if n in hpas:
                c.check(f"{target}: {n} leaves replicas to its HPA", "replicas" not in d["spec"])
            else:
                c.check(f"{target}: {n} runs at least 2 replicas", d["spec"].get("replicas", 1) >= 2)
        for n in ("ww-deduper", "ww-tagger"):
            h = hpas.get(n)
            cpu = h and any(m.get("resource", {}).get("name") == "cpu" for m in h["spec"].get("metrics", []))
            c.check(f"{target}: {n} has a CPU HorizontalPodAutoscaler", bool(cpu))
            if h:
                c.check(f"{target}: {n} HPA maxReplicas <= the input topic's partitions",
                        h["spec"]["maxReplicas"] <= min_stream_partitions(by_kind))
        policies = by_kind.get("NetworkPolicy", [])
        c.check(f"{target}: a default-deny ingress NetworkPolicy for the Wirewatch pods",
                any(p["spec"].get("policyTypes") == ["Ingress"] and not p["spec"].get("ingress")
                    and p["spec"]["podSelector"].get("matchLabels", {}).get("app.kubernetes.io/part-of") == "wirewatch"
                    for p in policies))
        grpc_from = [f for p in policies for rule in p["spec"].get("ingress", [])
                     if any(pt.get("port") == GRPC_PORT for pt in rule.get("ports", []))
                     for f in rule.get("from", [])]
        c.check(f"{target}: gRPC ingress only from pipeline and client pods",
                bool(grpc_from) and all("podSelector" in f and f["podSelector"].get("matchLabels") for f in grpc_from),
                json.dumps(grpc_from))
        for port, what in ((GRPC_PORT, "gRPC"), (9090, "metrics")):
            let_in = set()
            for p in policies:
                if not any(pt.get("port") == port for r in p["spec"].get("ingress", []) for pt in r.get("ports", [])):
                    continue
                for e in p["spec"]["podSelector"].get("matchExpressions", []):
                    if e.get("key") == "app.kubernetes.io/name" and e.get("operator") == "In":
                        let_in |= set(e.get("values", []))
            c.check(f"{target}: every service lets {what} ({port}) in", let_in >= set(SERVICES),
                    str(sorted(set(SERVICES) - let_in)))
        check_notifier_egress(c, target, policies)
        check_feed_ingress(c, target, policies, deployments)


def check_tokens(c, target, by_kind, deployments):
    """Issue 19: every service authenticates from the Secret ww-tokens (fail closed: a secret
    volume that is not optional), the tokens file path is the common setting, and the wwctl
    Job carries an editor token from a Secret."""
    common = next((cm for cm in by_kind.get("ConfigMap", [])
                   if cm["metadata"]["name"].startswith("ww-common")), {})
    path = common.get("data", {}).get("WW_TOKENS_FILE", "")
    c.check(f"{target}: WW_TOKENS_FILE is set for every service (ww-common)", bool(path))
    for n, d in sorted(deployments.items()):
        spec = d["spec"]["template"]["spec"]
        volumes = {v["name"]: v for v in spec.get("volumes", [])}
        secret_volumes = [name for name, v in volumes.items()
                          if v.get("secret", {}).get("secretName", "").startswith("ww-tokens")
                          and not v["secret"].get("optional", False)]
        mounts = {m["name"]: m["mountPath"] for m in spec["containers"][0].get("volumeMounts", [])}
        c.check(f"{target}: {n} mounts the Secret ww-tokens (required) where WW_TOKENS_FILE points",
                any(path.startswith(mounts.get(v, "\0") + "/") for v in secret_volumes),
                f"{secret_volumes} {mounts} {path}")
    for j in by_kind.get("Job", []):
        env = {e["name"]: e for e in j["spec"]["template"]["spec"]["containers"][0].get("env", [])}
        ref = env.get("WW_TOKEN", {}).get("valueFrom", {}).get("secretKeyRef", {})
        c.check(f"{target}: {name_of(j)} takes WW_TOKEN from a Secret", bool(ref.get("name")))


def selects(policy, name):
    """Whether a NetworkPolicy's podSelector picks the pods of the service `name`."""
    sel = policy["spec"]["podSelector"]
    if sel.get("matchLabels", {}).get("app.kubernetes.io/name") == name:
        return True
    return any(e.get("key") == "app.kubernetes.io/name" and e.get("operator") == "In"
               and name in e.get("values", []) for e in sel.get("matchExpressions", []))


def check_notifier_feed(c, target, by_kind, deployments):
    """The notifier's Atom feed: its container port and Service port `feed`, and its settings."""
    d = deployments.get("ww-notifier")
    ct = d["spec"]["template"]["spec"]["containers"][0] if d else {}
    ports = {p.get("name"): p.get("containerPort") for p in ct.get("ports", [])}
    c.check(f"{target}: ww-notifier has a container port feed {FEED_PORT}", ports.get("feed") == FEED_PORT, str(ports))
    svc = [s for s in by_kind.get("Service", []) if s["metadata"]["name"] == "ww-notifier"]
    feed = [p for s in svc for p in s["spec"].get("ports", []) if p.get("name") == "feed"]
    c.check(f"{target}: Service ww-notifier exposes the port feed ({FEED_PORT} -> feed, http)",
            len(feed) == 1 and feed[0].get("port") == FEED_PORT and feed[0].get("targetPort") == "feed"
            and feed[0].get("protocol", "TCP") == "TCP" and feed[0].get("appProtocol") == "http", json.dumps(feed))
    cms = {cm["metadata"]["name"]: cm.get("data", {}) for cm in by_kind.get("ConfigMap", [])}
    refs = [e["configMapRef"]["name"] for e in ct.get("envFrom", []) if "configMapRef" in e]
    env = {k: v for r in refs for k, v in cms.get(r, {}).items()}
    c.check(f"{target}: ww-notifier WW_FEED_LISTEN listens on the feed port",
            env.get("WW_FEED_LISTEN", "").endswith(f":{FEED_PORT}"), env.get("WW_FEED_LISTEN", "(unset)"))
    c.check(f"{target}: ww-notifier WW_ALERTER is the alerter's gRPC Service",
            env.get("WW_ALERTER") == f"ww-alerter:{GRPC_PORT}", env.get("WW_ALERTER", "(unset)"))


def check_feed_ingress(c, target, policies, deployments):
    """The feed (8080) is open to the gRPC clients, never to anyone; the alerter admits the notifier,
    which lists alerts there for the feed."""
    feed_rules = [r for p in policies if "Ingress" in p["spec"].get("policyTypes", []) and selects(p, "ww-notifier")
                  for r in p["spec"].get("ingress", [])
                  if any(pt.get("port") in (FEED_PORT, "feed") for pt in r.get("ports", []))]
    c.check(f"{target}: a NetworkPolicy lets the feed ({FEED_PORT}) into ww-notifier", bool(feed_rules))
    feed_from = [f for r in feed_rules for f in r.get("from", [])]
    c.check(f"{target}: feed ingress only from client pods (wirewatch.io/client=true)",
            bool(feed_rules) and all(r.get("from") for r in feed_rules)
            and all(f.get("podSelector", {}).get("matchLabels", {}).get("wirewatch.io/client") == "true"
                    and "ipBlock" not in f for f in feed_from), json.dumps(feed_from))
    labels = deployments.get("ww-notifier", {}).get("spec", {}).get("template", {}).get("metadata", {}).get("labels", {})
    admits = [f for p in policies if "Ingress" in p["spec"].get("policyTypes", []) and selects(p, "ww-alerter")
              for r in p["spec"].get("ingress", [])
              if any(pt.get("port") in (GRPC_PORT, "grpc") for pt in r.get("ports", []))
              for f in r.get("from", [])
              if "namespaceSelector" not in f and "podSelector" in f
              and not f["podSelector"].get("matchExpressions")
              and f["podSelector"].get("matchLabels", {}).items() <= labels.items()]
    c.check(f"{target}: ww-alerter lets the notifier's pods into gRPC ({GRPC_PORT})", bool(admits), str(labels))


def check_notifier_egress(c, target, policies):
    """The notifier POSTs to URLs and mails through SMTP servers its tenants choose: egress to DNS,
    Kafka, public 443, 587 and 465, and the alerter's gRPC (for its feed) only."""
    egress = [p for p in policies if "Egress" in p["spec"].get("policyTypes", [])
              and p["spec"]["podSelector"].get("matchLabels", {}).get("app.kubernetes.io/name") == "ww-notifier"]
    c.check(f"{target}: an egress NetworkPolicy for ww-notifier", len(egress) == 1, str(len(egress)))
    rules = [r for p in egress for r in p["spec"].get("egress", [])]
    ports = {(pt.get("port"), pt.get("protocol", "TCP")) for r in rules for pt in r.get("ports", [])}
    c.check(f"{target}: ww-notifier egress only to DNS, Kafka (9093), the alerter (50051), HTTPS (443) and SMTP (587, 465)",
            ports == {(53, "UDP"), (53, "TCP"), (9093, "TCP"), (GRPC_PORT, "TCP"), (443, "TCP"), (587, "TCP"), (465, "TCP")}
            and all(r.get("ports") and r.get("to") for r in rules), str(sorted(ports, key=str)))
    # 50051 only to the alerter's pods in this namespace: no ipBlock, no namespaceSelector.
    grpc = [r for r in rules if any(pt.get("port") == GRPC_PORT for pt in r.get("ports", []))]
    alerter = {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "ww-alerter"}}}
    c.check(f"{target}: ww-notifier egress to {GRPC_PORT} only towards the ww-alerter pods",
            bool(grpc) and all(r.get("to") and all(t == alerter for t in r["to"])
                               and all(pt.get("port") == GRPC_PORT for pt in r["ports"]) for r in grpc),
            json.dumps(grpc))
    https = [t for r in rules if any(pt.get("port") == 443 for pt in r.get("ports", [])) for t in r["to"]]
    v4 = [t["ipBlock"] for t in https if t.get("ipBlock", {}).get("cidr") == "0.0.0.0/0"]
    c.check(f"{target}: ww-notifier HTTPS egress leaves out private and link-local (metadata) networks",
            len(v4) == 1 and {"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16"}
            <= set(v4[0].get("except", [])), json.dumps(https))


def min_stream_partitions(by_kind):
    return min(t["spec"]["partitions"] for t in by_kind.get("KafkaTopic", [])
               if t["spec"]["topicName"] in ("ww.articles.raw", "ww.articles.unique"))


def check_kafka(c, target, by_kind):
    kafka = by_kind.get("Kafka", [])
    c.check(f"{target}: one Strimzi Kafka cluster", len(kafka) == 1)
    if kafka:
        k = kafka[0]
        ann = k["metadata"].get("annotations", {})
        c.check(f"{target}: Kafka in KRaft mode with node pools",
                ann.get("strimzi.io/kraft") == "enabled" and ann.get("strimzi.io/node-pools") == "enabled")
        roles = {r for p in by_kind.get("KafkaNodePool", []) for r in p["spec"]["roles"]}
        c.check(f"{target}: node pools give controllers and brokers", roles == {"controller", "broker"}, str(roles))
        c.check(f"{target}: Kafka uses simple (ACL) authorization",
                k["spec"]["kafka"].get("authorization", {}).get("type") == "simple")
    topics = {t["spec"].get("topicName", t["metadata"]["name"]): t for t in by_kind.get("KafkaTopic", [])}
    c.check(f"{target}: a KafkaTopic for every Wirewatch topic", set(topics) == set(TOPICS), str(sorted(topics)))
    for name, (compacted, retention) in TOPICS.items():
        spec = topics.get(name, {}).get("spec", {})
        cfg = spec.get("config", {})
        if name in SINGLE_PARTITION:
            c.check(f"{target}: {name} has one partition", spec.get("partitions") == 1, str(spec.get("partitions")))
        if compacted:
            c.check(f"{target}: {name} is compacted", cfg.get("cleanup.policy") == "compact")
        else:
            c.check(f"{target}: {name} keeps {retention} ms", int(cfg.get("retention.ms", -1)) == retention)
    c.check(f"{target}: ww.deliveries has as many partitions as ww.alerts",
            topics.get("ww.deliveries", {}).get("spec", {}).get("partitions")
            == topics.get("ww.alerts", {}).get("spec", {}).get("partitions"))
    users = {u["metadata"]["name"]: u for u in by_kind.get("KafkaUser", [])}
    c.check(f"{target}: a KafkaUser per service", set(users) == set(SERVICES), str(sorted(users)))
    for n, u in users.items():
        acls = u["spec"].get("authorization", {}).get("acls", [])
        c.check(f"{target}: KafkaUser {n} has no wildcard ACL",
                all(a["resource"].get("name") not in (None, "*") or a["resource"]["type"] == "cluster" for a in acls)
                and not any(a["resource"]["type"] == "cluster" for a in acls)
                and not any("All" in a.get("operations", []) for a in acls))
        if n in STAGES:
            tid = [a for a in acls if a["resource"]["type"] == "transactionalId"]
            c.check(f"{target}: KafkaUser {n} may use transactional ids {n}-*",
                    any(a["resource"]["name"] == f"{n}-" and a["resource"].get("patternType") == "prefix" for a in tid))


def metric_names(expr):
    return set(re.findall(r"\bww_[a-z_]+", expr))


def check_monitoring(c, target, objects, root):
    rules = [o for o in objects if o["kind"] == "PrometheusRule"]
    exprs = [r["expr"] for o in rules for g in o["spec"]["groups"] for r in g["rules"]]
    alerts = [r.get("alert", "") for o in rules for g in o["spec"]["groups"] for r in g["rules"]]
    used = set().union(*map(metric_names, exprs)) if exprs else set()
    c.check(f"{target}: alert rules use only the services' metric names", used and used <= METRICS, str(used - METRICS))
    for what, pattern in (("lag", "ww_consumer_lag"), ("dead letters", "ww_records_deadlettered_total"),
                          ("a stalled stage", "ww_transactions_total")):
        c.check(f"{target}: an alert rule for {what}", any(pattern in e for e in exprs))
    c.check(f"{target}: a stalled-stage alert", any("Stalled" in a for a in alerts))
    scraped = {v for o in objects if o["kind"] == "PodMonitor"
               for e in o["spec"]["selector"].get("matchExpressions", [])
               if e.get("key") == "app.kubernetes.io/name" for v in e.get("values", [])}
    c.check(f"{target}: the PodMonitor scrapes every service", scraped >= set(SERVICES),
            str(sorted(set(SERVICES) - scraped)))
    dash = json.loads((root / "deploy/monitoring/grafana-dashboard.json").read_text())
    dexprs = [t["expr"] for p in dash["panels"] for t in p.get("targets", [])]
    dused = set().union(*map(metric_names, dexprs)) if dexprs else set()
    c.check(f"{target}: the dashboard uses only the services' metric names", dused and dused <= METRICS, str(dused - METRICS))
    c.check(f"{target}: the dashboard shows lag, dead letters, transactions and alerts",
            {"ww_consumer_lag", "ww_records_deadlettered_total", "ww_transactions_total", "ww_alerts_raised_total"} <= dused)
    ids = [p["id"] for p in dash["panels"]]
    c.check(f"{target}: dashboard panel ids are unique", len(ids) == len(set(ids)))
    check_rules_with_promtool(c, target, rules, root)


def check_rules_with_promtool(c, target, rules, root):
    """promtool (Debian's prometheus package) checks the rules and runs their unit tests."""
    promtool = shutil.which("promtool")
    c.check(f"{target}: promtool is installed (tools/dev/setup installs prometheus)", promtool is not None)
    if promtool is None or len(rules) != 1:
        return
    with tempfile.TemporaryDirectory() as tmp:
        groups = Path(tmp) / "prometheus-rules.groups.yaml"
        groups.write_text(yaml.safe_dump({"groups": rules[0]["spec"]["groups"]}, sort_keys=False))
        shutil.copy(root / "deploy/monitoring/prometheus-rules.test.yaml", tmp)
        for what, argv in (("promtool check rules", [promtool, "check", "rules", groups.name]),
                           ("promtool test rules", [promtool, "test", "rules", "prometheus-rules.test.yaml"])):
            r = subprocess.run(argv, cwd=tmp, capture_output=True, text=True)
            c.check(f"{target}: {what} passes", r.returncode == 0, (r.stdout + r.stderr)[-2000:])


def check_dockerfile(c, root):
    setup = (root / "tools/dev/setup").read_text()
    listed = re.search(r"packages=\((.*?)\)", setup, re.S).group(1).split()
    # only the local broker, the repository, the observability and e2e tests, fuzzing and lint
    needed = set(listed) - {"default-jdk-headless", "maven", "git", "prometheus", "clang",
                            "libclang-rt-14-dev", "clang-format", "clang-tidy",
                            "python3-aiosmtpd"}
    dockerfile = (root / "deploy/docker/Dockerfile").read_text()
    build = re.search(r"FROM \S+ AS build\n(.*?)\nFROM ", dockerfile, re.S).group(1)
    c.check("Dockerfile: the build stage installs tools/dev/setup's packages",
            needed <= set(build.replace("\\", " ").split()), str(sorted(needed - set(build.split()))))
    for target in SERVICES + ["wwctl"]:
        m = re.search(rf"FROM runtime AS {target}\n(.*?)(?=\nFROM |\Z)", dockerfile, re.S)
        c.check(f"Dockerfile: target {target} exists", m is not None)
        if m:
            c.check(f"Dockerfile: {target} runs as a non-root user", re.search(r"^USER 10001", m.group(1), re.M) is not None)
            c.check(f"Dockerfile: {target} has an exec-form ENTRYPOINT", 'ENTRYPOINT ["/usr/local/bin/' in m.group(1))
    c.check("Dockerfile: runtime stages start from bookworm-slim", "DEBIAN_IMAGE=debian:bookworm-slim" in dockerfile)
    images = re.search(r"for image in ([^;]*);", (root / "deploy/docker/build-images").read_text())
    c.check("build-images: builds every image", images is not None
            and set(images.group(1).split()) == set(SERVICES + ["wwctl"]), images and images.group(1))


def self_test(c, args):
    """The validators must reject broken objects, or a green run proves nothing."""
    bad_topic = {"apiVersion": "kafka.strimzi.io/v1", "kind": "KafkaTopic",
                 "metadata": {"name": "t", "labels": {"strimzi.io/cluster": "ww-kafka"}},
                 "spec": {"partitons": 3, "replicas": 1}}
    bad_user = {"apiVersion": "kafka.strimzi.io/v1", "kind": "KafkaUser", "metadata": {"name": "u"},
                "spec": {"authorization": {"type": "simple", "acls": [
                    {"resource": {"type": "topic", "name": "x"}, "operations": ["Fly"]}]}}}
    results = validate_crds([bad_topic, bad_user], args.node_modules, args.crd_script)
    c.check("self-test: the CRD validator rejects a misspelt KafkaTopic field", not results[0]["ok"])
    c.check("self-test: the CRD validator rejects an unknown ACL operation", not results[1]["ok"])
    bad_dep = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
               "spec": {"selector": {"matchLabels": {"a": "b"}}, "template": {
                   "metadata": {"labels": {"a": "b"}},
                   "spec": {"containers": [{"name": "c", "image": "i:1", "readinessProbe": {"grpcc": {"port": 1}}}]}}}}
    c.check("self-test: the Kubernetes validator rejects a misspelt field", bool(k8s_errors(bad_dep)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", type=Path, required=True)
    ap.add_argument("--kustomize", required=True)
    ap.add_argument("--node-modules", type=Path, required=True)
    args = ap.parse_args()
    args.crd_script = Path(__file__).with_name("validate_crds.mjs")
    c = Checks()
    self_test(c, args)
    for target in TARGETS:
        objects, err = build(args.kustomize, args.root, target)
        if not c.check(f"{target}: kustomize build", objects is not None, err):
            continue
        check_target(c, args, target, objects)
    check_dockerfile(c, args.root)
    print(f"\n{c.passed} passed, {c.failed} failed")
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main())
