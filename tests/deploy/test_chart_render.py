"""Render the Helm chart offline under several value sets and check the manifests."""

from __future__ import annotations

import base64
import copy

import helm_python
import kubernetes_validate
import pytest
from chart_env import CHART_DIR, NAMESPACE, RELEASE

GRPC_SERVICES = ["identity", "leads", "sales", "support", "marketing", "analytics"]
COMPONENTS = [*GRPC_SERVICES, "gateway"]
CRD_KINDS = {"ServiceMonitor", "PrometheusRule"}
TOKEN_KEY = "k" * 40
# Oldest supported (Chart.yaml kubeVersion) and the newest kubernetes-validate knows.
KUBE_VERSIONS = ["1.27.0", "1.33.0", kubernetes_validate.utils.latest_version()]

DEFAULTS: dict = {}
FULL: dict = {
    "commonLabels": {"team": "crm"},
    "commonAnnotations": {"owner": "platform"},
    "imagePullSecrets": [{"name": "regcred"}],
    "image": {"registry": "registry.example.com", "tag": "1.2.3"},
    "auth": {"tokenKey": TOKEN_KEY},
    "postgresql": {"host": "pg.db.svc", "password": "p@ss word/+:?", "sslmode": "require"},
    "rabbitmq": {"host": "mq.bus.svc", "password": "s3cr3t", "vhost": "crm"},
    "config": {"logLevel": "DEBUG", "extraEnv": {"CRM_CONSUMER_PREFETCH": "32"}},
    "serviceDefaults": {
        "autoscaling": {"enabled": True, "minReplicas": 2, "maxReplicas": 10},
        "serviceMonitor": {"enabled": True, "labels": {"release": "kube-prometheus-stack"}},
        "pdb": {"minAvailable": "50%"},
        "nodeSelector": {"kubernetes.io/os": "linux"},
        "tolerations": [{"key": "dedicated", "operator": "Equal", "value": "crm", "effect": "NoSchedule"}],
        "podAnnotations": {"example.com/scrape": "true"},
        "topologySpreadConstraints": [
            {
                "maxSkew": 1,
                "topologyKey": "topology.kubernetes.io/zone",
                "whenUnsatisfiable": "ScheduleAnyway",
            }
        ],
        "priorityClassName": "crm-high",
    },
    "services": {
        "gateway": {
            "service": {"type": "LoadBalancer"},
            "autoscaling": {"maxReplicas": 20},
            "image": {"tag": "gw-9"},
            "env": {"GUNICORN_WORKERS": 4},
        },
        "leads": {"resources": {"requests": {"cpu": "250m", "memory": "256Mi"}}},
    },
    "networkPolicy": {"enabled": True},
    "prometheusRule": {"enabled": True, "labels": {"release": "kube-prometheus-stack"}},
    "grafanaDashboard": {
        "enabled": True,
        "namespace": "monitoring",
        "annotations": {"grafana_folder": "CRM"},
    },
}
MINIMAL: dict = {
    "services": {"analytics": {"enabled": False}},
    "postgresql": {"existingSecret": "crm-pg", "existingSecretPasswordKey": "pg-password"},
    "rabbitmq": {"existingSecret": "crm-mq"},
    "auth": {"existingSecret": "crm-auth"},
    "networkPolicy": {"enabled": False},
    "serviceAccount": {"create": False, "name": "crm-runner"},
}
VALUE_SETS = {"defaults": DEFAULTS, "full": FULL, "minimal": MINIMAL}


def by_kind(docs: list[dict], kind: str) -> dict[str, dict]:
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}


def component_name(component: str) -> str:
    return f"{RELEASE}-{component}"


def container(deployment: dict) -> dict:
    (only,) = deployment["spec"]["template"]["spec"]["containers"]
    return only


def hooks(docs: list[dict]) -> list[dict]:
    return [d for d in docs if "helm.sh/hook" in d["metadata"].get("annotations", {})]


@pytest.fixture(scope="module", params=list(VALUE_SETS))
def rendered(request, render):
    return request.param, render(VALUE_SETS[request.param])


# ---------------------------------------------------------------- schema / lint


@pytest.mark.parametrize("name", list(VALUE_SETS))
def test_value_sets_pass_the_schema(chart, name):
    chart.validate_schema(VALUE_SETS[name])


@pytest.mark.parametrize(
    ("values", "fragment"),
    [
        ({"services": {"leads": {"replicaCount": "three"}}}, "/services/leads/replicaCount"),
        ({"services": {"leads": {"bogus": True}}}, "bogus"),
        ({"services": {"billing": {"enabled": True}}}, "billing"),
        (
            {"serviceDefaults": {"autoscaling": {"targetCPUUtilizationPercentage": 150}}},
            "targetCPUUtilizationPercentage",
        ),
        ({"auth": {"tokenKey": "too-short"}}, "/auth/tokenKey"),
        ({"postgresql": {"sslmode": "sometimes"}}, "/postgresql/sslmode"),
        ({"rabbitmq": {"port": 0}}, "/rabbitmq/port"),
        ({"serviceDefaults": {"pdb": {"minAvailable": "half"}}}, "/serviceDefaults/pdb/minAvailable"),
        ({"unknownTopLevel": 1}, "unknownTopLevel"),
    ],
)
def test_schema_rejects_invalid_values(chart, values, fragment):
    with pytest.raises(helm_python.HelmValuesError) as caught:
        chart.validate_schema(values)
    assert fragment in str(caught.value)
    # Rendering (what install/upgrade do) refuses them too.
    with pytest.raises(helm_python.HelmValuesError):
        chart.render(values, name=RELEASE, namespace=NAMESPACE)


@pytest.mark.parametrize("name", list(VALUE_SETS))
def test_lint_strict_is_clean(name):
    report = helm_python.lint(
        CHART_DIR, VALUE_SETS[name], strict=True, namespace=NAMESPACE, kube_version="v1.33.0"
    )
    problems = [m for m in report["messages"] if m["severity"] >= 2]
    assert report["errors"] == [] and problems == [], report


def test_lint_reports_schema_violations():
    report = helm_python.lint(CHART_DIR, {"services": {"leads": {"bogus": 1}}}, strict=True)
    assert any("bogus" in e for e in report["errors"]), report


def test_chart_metadata(chart):
    meta = chart.metadata
    assert meta["apiVersion"] == "v2"
    assert meta["appVersion"]
    assert meta["kubeVersion"].startswith(">=1.27")


# ---------------------------------------------------------------- Kubernetes schemas


@pytest.mark.parametrize("kube_version", KUBE_VERSIONS)
def test_manifests_validate_against_kubernetes_schemas(rendered, kube_version):
    _, docs = rendered
    checked = 0
    for doc in docs:
        if doc["kind"] in CRD_KINDS:
            continue
        manifest = {k: v for k, v in doc.items() if k != "__source__"}
        try:
            kubernetes_validate.validate(manifest, kube_version, strict=True)
        except kubernetes_validate.ValidationError as exc:
            path = ".".join(str(p) for p in exc.path)
            pytest.fail(
                f"{doc['kind']}/{doc['metadata']['name']} invalid for {kube_version}: {path}: {exc.message}"
            )
        checked += 1
    assert checked > 10


def test_every_object_is_namespaced_and_labelled(rendered):
    name, docs = rendered
    for doc in docs:
        meta = doc["metadata"]
        assert meta["labels"]["app.kubernetes.io/instance"] == RELEASE
        assert meta["labels"]["app.kubernetes.io/name"] == "crm"
        expected_ns = (
            "monitoring"
            if (name == "full" and doc["kind"] == "ConfigMap" and "dashboards" in meta["name"])
            else NAMESPACE
        )
        assert meta["namespace"] == expected_ns


def test_no_duplicate_objects(rendered):
    _, docs = rendered
    keys = [(d["kind"], d["metadata"]["name"]) for d in docs]
    assert len(keys) == len(set(keys))


# ---------------------------------------------------------------- behaviour


def test_defaults_render_every_component(render):
    docs = render(DEFAULTS)
    deployments, services, pdbs = (
        by_kind(docs, "Deployment"),
        by_kind(docs, "Service"),
        by_kind(docs, "PodDisruptionBudget"),
    )
    for component in COMPONENTS:
        name = component_name(component)
        assert name in deployments and name in services and name in pdbs, component
        assert deployments[name]["spec"]["replicas"] == 2
        assert container(deployments[name])["args"] == ["serve", component]
    assert by_kind(docs, "HorizontalPodAutoscaler") == {}
    assert by_kind(docs, "ServiceMonitor") == {} and by_kind(docs, "PrometheusRule") == {}
    assert set(by_kind(docs, "NetworkPolicy")) == {component_name(c) for c in COMPONENTS}
    assert set(by_kind(docs, "ServiceAccount")) == {RELEASE}
    assert set(by_kind(docs, "ConfigMap")) == {RELEASE}  # no dashboard by default


def test_disabled_component_renders_nothing(render):
    docs = render(MINIMAL)
    gone = component_name("analytics")
    assert not [d for d in docs if d["metadata"]["name"] == gone]
    assert set(by_kind(docs, "Deployment")) == {component_name(c) for c in COMPONENTS if c != "analytics"}
    assert set(by_kind(docs, "PodDisruptionBudget")) == set(by_kind(docs, "Deployment"))


def test_grpc_services_use_native_grpc_probes(render):
    deployments = by_kind(render(DEFAULTS), "Deployment")
    for component in GRPC_SERVICES:
        c = container(deployments[component_name(component)])
        # Alive while the process answers; ready only while its database and broker answer too (ADR 0028).
        for probe in ("startupProbe", "livenessProbe"):
            assert c[probe]["grpc"] == {"port": 50051, "service": "liveness"}, (component, probe)
        assert c["readinessProbe"]["grpc"] == {"port": 50051}, component
        for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
            assert "httpGet" not in c[probe]
        assert {p["name"]: p["containerPort"] for p in c["ports"]} == {"grpc": 50051, "metrics": 9464}


def test_gateway_uses_http_probes(render):
    c = container(by_kind(render(DEFAULTS), "Deployment")[component_name("gateway")])
    assert c["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert c["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert {p["name"]: p["containerPort"] for p in c["ports"]} == {"http": 8080, "metrics": 9464}


def test_pods_are_locked_down(rendered):
    _, docs = rendered
    pod_specs = [d["spec"]["template"]["spec"] for d in docs if d["kind"] in ("Deployment", "Job")]
    assert pod_specs
    for spec in pod_specs:
        assert spec["securityContext"]["runAsNonRoot"] is True
        assert spec["securityContext"]["runAsUser"] == 10001
        assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        assert spec["automountServiceAccountToken"] is False
        (c,) = spec["containers"]
        sc = c["securityContext"]
        assert sc["readOnlyRootFilesystem"] is True
        assert sc["allowPrivilegeEscalation"] is False
        assert sc["capabilities"]["drop"] == ["ALL"]
        assert {"name": "tmp", "mountPath": "/tmp"} in c["volumeMounts"]
        assert any(v["name"] == "tmp" and "emptyDir" in v for v in spec["volumes"])


def test_migration_job_is_a_pre_install_and_pre_upgrade_hook(render):
    docs = render(DEFAULTS)
    (job,) = by_kind(docs, "Job").values()
    annotations = job["metadata"]["annotations"]
    assert annotations["helm.sh/hook"] == "pre-install,pre-upgrade"
    assert annotations["helm.sh/hook-delete-policy"] == "before-hook-creation,hook-succeeded"
    assert container(job)["args"] == ["migrate"]
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"
    # Pre-install hooks run before the release's own objects exist: the Job may only
    # reference objects that are hooks created before it (lower weight).
    env_sources = container(job)["envFrom"]
    (hook_secret,) = [d for d in hooks(docs) if d["kind"] == "Secret"]
    assert env_sources == [{"secretRef": {"name": hook_secret["metadata"]["name"]}}]
    assert int(hook_secret["metadata"]["annotations"]["helm.sh/hook-weight"]) < int(
        annotations["helm.sh/hook-weight"]
    )
    assert "serviceAccountName" not in job["spec"]["template"]["spec"]
    data = hook_secret["stringData"]
    assert {"CRM_DATABASE_URL", "CRM_BUS_URL", "CRM_TOKEN_KEY", "CRM_LEADS_ADDR"} <= set(data)


def test_migrations_can_be_disabled(render):
    docs = render({"migrations": {"enabled": False}})
    assert by_kind(docs, "Job") == {} and hooks(docs) == []


def test_secrets_stay_out_of_the_configmap(render):
    docs = render(FULL)
    config = by_kind(docs, "ConfigMap")[RELEASE]["data"]
    secret = by_kind(docs, "Secret")[RELEASE]["stringData"]
    assert set(secret) == {"CRM_DATABASE_URL", "CRM_BUS_URL", "CRM_TOKEN_KEY"}
    for value in config.values():
        assert "p@ss" not in value and "s3cr3t" not in value and TOKEN_KEY not in value
    assert not {"CRM_DATABASE_URL", "CRM_BUS_URL", "CRM_TOKEN_KEY"} & set(config)
    assert config["CRM_GRPC_PORT"] == "50051" and config["CRM_METRICS_PORT"] == "9464"
    assert config["CRM_HTTP_PORT"] == "8080" and config["CRM_LOG_LEVEL"] == "DEBUG"
    assert config["CRM_CONSUMER_PREFETCH"] == "32"
    for service in GRPC_SERVICES:
        assert config[f"CRM_{service.upper()}_ADDR"] == f"{RELEASE}-{service}:50051"


def test_urls_are_built_and_escaped(render):
    secret = by_kind(render(FULL), "Secret")[RELEASE]["stringData"]
    assert secret["CRM_DATABASE_URL"] == (
        "postgresql+psycopg://crm:p%40ss%20word%2F%2B%3A%3F@pg.db.svc:5432/crm?sslmode=require"
    )
    assert secret["CRM_BUS_URL"] == "amqp://crm:s3cr3t@mq.bus.svc:5672/crm"
    assert secret["CRM_TOKEN_KEY"] == TOKEN_KEY
    default = by_kind(render({"rabbitmq": {"password": "x"}}), "Secret")[RELEASE]["stringData"]
    assert default["CRM_BUS_URL"] == "amqp://crm:x@rabbitmq:5672/%2F"


def test_generated_token_key_is_long_enough(render):
    key = by_kind(render(DEFAULTS), "Secret")[RELEASE]["stringData"]["CRM_TOKEN_KEY"]
    assert len(key) >= 32


def test_existing_secrets_are_referenced_not_copied(render):
    docs = render(MINIMAL)
    assert [
        d
        for d in docs
        if d["kind"] == "Secret" and "helm.sh/hook" not in d["metadata"].get("annotations", {})
    ] == []
    for deployment in by_kind(docs, "Deployment").values():
        c = container(deployment)
        assert c["envFrom"] == [{"configMapRef": {"name": RELEASE}}]
        env = {e["name"]: e for e in c["env"]}
        assert env["CRM_POSTGRESQL_PASSWORD"]["valueFrom"]["secretKeyRef"] == {
            "name": "crm-pg",
            "key": "pg-password",
        }
        assert env["CRM_RABBITMQ_PASSWORD"]["valueFrom"]["secretKeyRef"] == {
            "name": "crm-mq",
            "key": "password",
        }
        assert env["CRM_TOKEN_KEY"]["valueFrom"]["secretKeyRef"] == {"name": "crm-auth", "key": "token-key"}
        names = [e["name"] for e in c["env"]]
        # $(VAR) only expands variables defined earlier in the list.
        assert names.index("CRM_POSTGRESQL_PASSWORD") < names.index("CRM_DATABASE_URL")
        assert env["CRM_DATABASE_URL"]["value"] == (
            "postgresql+psycopg://crm:$(CRM_POSTGRESQL_PASSWORD)@postgresql:5432/crm?sslmode=prefer"
        )
        assert env["CRM_BUS_URL"]["value"] == "amqp://crm:$(CRM_RABBITMQ_PASSWORD)@rabbitmq:5672/%2F"
        assert deployment["spec"]["template"]["spec"]["serviceAccountName"] == "crm-runner"
    (job,) = by_kind(docs, "Job").values()
    assert {e["name"] for e in container(job)["env"]} >= {"CRM_DATABASE_URL", "CRM_BUS_URL", "CRM_TOKEN_KEY"}
    assert by_kind(docs, "ServiceAccount") == {} and by_kind(docs, "NetworkPolicy") == {}


def test_replicas_omitted_when_autoscaling(render):
    docs = render(FULL)
    deployments, hpas = by_kind(docs, "Deployment"), by_kind(docs, "HorizontalPodAutoscaler")
    assert set(hpas) == set(deployments) == {component_name(c) for c in COMPONENTS}
    for name, deployment in deployments.items():
        assert "replicas" not in deployment["spec"], name
        hpa = hpas[name]["spec"]
        assert hpa["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": name}
        assert hpa["metrics"][0]["resource"]["target"]["averageUtilization"] == 75
    assert hpas[component_name("gateway")]["spec"]["maxReplicas"] == 20
    assert hpas[component_name("leads")]["spec"]["maxReplicas"] == 10


def test_per_service_overrides_merge_with_defaults(render):
    docs = render(FULL)
    deployments = by_kind(docs, "Deployment")
    leads = container(deployments[component_name("leads")])
    assert leads["resources"]["requests"] == {"cpu": "250m", "memory": "256Mi"}
    assert leads["resources"]["limits"] == {"memory": "512Mi"}  # kept from serviceDefaults
    gateway = deployments[component_name("gateway")]
    assert container(gateway)["image"] == "registry.example.com/crm-platform/crm:gw-9"
    assert {"name": "GUNICORN_WORKERS", "value": "4"} in container(gateway)["env"]
    assert (
        container(deployments[component_name("sales")])["image"]
        == "registry.example.com/crm-platform/crm:1.2.3"
    )
    pod = gateway["spec"]["template"]
    assert pod["metadata"]["annotations"]["example.com/scrape"] == "true"
    assert pod["spec"]["nodeSelector"] == {"kubernetes.io/os": "linux"}
    assert pod["spec"]["tolerations"][0]["key"] == "dedicated"
    assert pod["spec"]["imagePullSecrets"] == [{"name": "regcred"}]
    assert by_kind(docs, "Service")[component_name("gateway")]["spec"]["type"] == "LoadBalancer"
    assert by_kind(docs, "Service")[component_name("leads")]["spec"]["type"] == "ClusterIP"
    assert by_kind(docs, "PodDisruptionBudget")[component_name("leads")]["spec"]["minAvailable"] == "50%"


def test_disabling_a_default_per_service(render):
    docs = render(
        {
            "serviceDefaults": {"autoscaling": {"enabled": True}},
            "services": {"sales": {"autoscaling": {"enabled": False}, "pdb": {"enabled": False}}},
        }
    )
    assert component_name("sales") not in by_kind(docs, "HorizontalPodAutoscaler")
    assert component_name("sales") not in by_kind(docs, "PodDisruptionBudget")
    assert by_kind(docs, "Deployment")[component_name("sales")]["spec"]["replicas"] == 2
    assert "replicas" not in by_kind(docs, "Deployment")[component_name("leads")]["spec"]


def test_selectors_match_pod_labels(rendered):
    _, docs = rendered
    deployments = by_kind(docs, "Deployment")
    for kind in ("Service", "PodDisruptionBudget", "NetworkPolicy", "ServiceMonitor"):
        for name, doc in by_kind(docs, kind).items():
            spec = doc["spec"]
            selector = spec.get("selector", spec.get("podSelector"))
            selector = selector.get("matchLabels", selector)
            pod_labels = deployments[name]["spec"]["template"]["metadata"]["labels"]
            assert selector.items() <= pod_labels.items(), (kind, name)
    for d in deployments.values():
        assert (
            d["spec"]["selector"]["matchLabels"].items()
            <= d["spec"]["template"]["metadata"]["labels"].items()
        )


def test_config_change_rolls_the_pods(render):
    def checksum(values):
        d = by_kind(render(values), "Deployment")[component_name("leads")]
        return d["spec"]["template"]["metadata"]["annotations"]["checksum/config"]

    base = {"auth": {"tokenKey": TOKEN_KEY}}
    assert checksum(base) == checksum(copy.deepcopy(base))
    assert checksum(base) != checksum({**base, "config": {"logLevel": "DEBUG"}})
    assert checksum(base) != checksum({**base, "postgresql": {"password": "new"}})


def test_network_policies(render):
    policies = by_kind(render(DEFAULTS), "NetworkPolicy")
    release_pods = {"app.kubernetes.io/name": "crm", "app.kubernetes.io/instance": RELEASE}
    for component in GRPC_SERVICES:
        rules = policies[component_name(component)]["spec"]["ingress"]
        grpc_rule, metrics_rule = rules
        assert grpc_rule["ports"] == [{"port": "grpc", "protocol": "TCP"}]
        assert grpc_rule["from"] == [{"podSelector": {"matchLabels": release_pods}}]
        assert metrics_rule["ports"] == [{"port": "metrics", "protocol": "TCP"}]
        assert metrics_rule["from"][0]["namespaceSelector"] == {
            "matchLabels": {"kubernetes.io/metadata.name": "monitoring"}
        }
    http_rule, _ = policies[component_name("gateway")]["spec"]["ingress"]
    assert http_rule == {"ports": [{"port": "http", "protocol": "TCP"}]}  # from anywhere
    custom = by_kind(
        render({"networkPolicy": {"metricsFrom": [{"namespaceSelector": {"matchLabels": {"team": "obs"}}}]}}),
        "NetworkPolicy",
    )
    assert custom[component_name("leads")]["spec"]["ingress"][1]["from"][0]["namespaceSelector"] == {
        "matchLabels": {"team": "obs"}
    }


# ---------------------------------------------------------------- monitoring CRDs


def test_service_monitors(render):
    monitors = by_kind(render(FULL), "ServiceMonitor")
    assert set(monitors) == {component_name(c) for c in COMPONENTS}
    for name, sm in monitors.items():
        assert sm["apiVersion"] == "monitoring.coreos.com/v1"
        assert sm["metadata"]["labels"]["release"] == "kube-prometheus-stack"
        spec = sm["spec"]
        assert spec["namespaceSelector"] == {"matchNames": [NAMESPACE]}
        assert spec["selector"]["matchLabels"]["app.kubernetes.io/component"] == name.removeprefix(
            f"{RELEASE}-"
        )
        (endpoint,) = spec["endpoints"]
        assert endpoint == {"port": "metrics", "path": "/metrics", "interval": "30s", "scrapeTimeout": "10s"}


def test_prometheus_rule_ships_the_alerts_file(render):
    import yaml

    (rule,) = by_kind(render(FULL), "PrometheusRule").values()
    assert rule["apiVersion"] == "monitoring.coreos.com/v1"
    assert rule["metadata"]["labels"]["release"] == "kube-prometheus-stack"
    source = yaml.safe_load((CHART_DIR / "files" / "alerts.yaml").read_text())
    assert rule["spec"]["groups"] == source["groups"]
    for group in rule["spec"]["groups"]:
        assert set(group) <= {"name", "interval", "rules", "limit", "partial_response_strategy"}
        for r in group["rules"]:
            assert set(r) <= {"alert", "record", "expr", "for", "keep_firing_for", "labels", "annotations"}
            assert isinstance(r["expr"], str) and r["expr"].strip()


def test_grafana_dashboard_configmap(render):
    import json

    cm = by_kind(render(FULL), "ConfigMap")[f"{RELEASE}-dashboards"]
    assert cm["metadata"]["labels"]["grafana_dashboard"] == "1"
    assert cm["metadata"]["annotations"]["grafana_folder"] == "CRM"
    assert json.loads(cm["data"]["crm-overview.json"])["uid"] == "crm-overview"


# ---------------------------------------------------------------- misc


def test_fullname_follows_release_name(render):
    docs = render(DEFAULTS, name="prod")
    assert component_name("leads").replace(RELEASE, "prod-crm") in by_kind(docs, "Deployment")
    config = by_kind(docs, "ConfigMap")["prod-crm"]["data"]
    assert config["CRM_IDENTITY_ADDR"] == "prod-crm-identity:50051"


def test_notes(render_notes):
    notes = render_notes(DEFAULTS)
    assert f"port-forward svc/{RELEASE}-gateway 8080:8080" in notes
    assert "/healthz" in notes and "/readyz" in notes
    assert "CRM_TOKEN_KEY" in notes and "crm token" in notes
    assert "WARNING: auth.tokenKey is empty" in notes
    quiet = render_notes(FULL)
    assert "WARNING" not in quiet


def test_secret_values_decode(render):
    # stringData is what the chart writes; make sure nothing double-encodes it.
    secret = by_kind(render(FULL), "Secret")[RELEASE]
    assert "data" not in secret
    assert base64.b64encode(TOKEN_KEY.encode()).decode() not in str(secret)
