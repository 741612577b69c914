"""5. The Kubernetes manifests played with `podman kube play`, as far as podman can."""

import json
import time

import yaml

from image_checks.common import (
    IMAGE,
    ROOT,
    RUN_ID,
    WORK,
    Failure,
    figures,
    free_port,
    played,
    podman,
    started,
    step,
    wait_for,
)
from image_checks.roles import healthz, logs, running

# --- 5. Kubernetes -----------------------------------------------------------------------

KUBE_PLAYABLE = {"Deployment", "Pod", "PersistentVolumeClaim"}


def kube_documents() -> list[dict]:
    documents = []
    for path in sorted((ROOT / "deploy" / "kubernetes").glob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        documents += [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
    return documents


def for_podman(pod_spec: dict, env: dict[str, str], port: int) -> None:
    """Adapt a pod spec to this machine: the image just built, the host network, the
    test's settings as plain env (podman plays neither Secrets nor ConfigMap references
    here), the probes' port moved with PORT."""
    pod_spec["hostNetwork"] = True
    volumes = [v for v in pod_spec.get("volumes", []) if "secret" not in v]
    volumes.append({"name": "secrets", "hostPath": {"path": env["_SECRETS_HOST_DIR"]}})
    pod_spec["volumes"] = volumes
    for container in pod_spec["containers"]:
        container["image"] = IMAGE
        container.pop("envFrom", None)
        container["env"] = [
            {"name": k, "value": v} for k, v in env.items() if not k.startswith("_")
        ] + [{"name": "PORT", "value": str(port)}]
        mounts = [m for m in container.get("volumeMounts", []) if m["name"] != "secrets"]
        mounts.append({"name": "secrets", "mountPath": "/run/secrets/livechat"})
        container["volumeMounts"] = mounts
        # On the host network a pod publishes no ports (podman refuses port mappings there).
        container.pop("ports", None)
        for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
            check = container.get(probe, {})
            for way in ("httpGet", "tcpSocket"):
                if way in check:
                    check[way]["port"] = port
                    check[way].pop("httpHeaders", None)


def kube(env: dict[str, str]) -> None:
    documents = kube_documents()
    kinds = sorted({doc["kind"] for doc in documents})
    skipped = sorted({d["kind"] for d in documents} - KUBE_PLAYABLE - {"Job"})
    port = free_port()
    playable = []
    job_pod = None
    for doc in documents:
        doc = json.loads(json.dumps(doc))
        if doc["kind"] == "Deployment":
            doc["spec"]["replicas"] = 1
            doc["metadata"]["name"] += f"-{RUN_ID}"
            for_podman(doc["spec"]["template"]["spec"], env, port)
            playable.append(doc)
        elif doc["kind"] == "Job":
            # podman 4.3 plays no Job: its pod template, as the Job's pod would run.
            template = doc["spec"]["template"]
            job_pod = {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": f"{doc['metadata']['name']}-{RUN_ID}"},
                "spec": template["spec"],
            }
            for_podman(job_pod["spec"], env, port)
    if job_pod is None or len(playable) != 3:
        raise Failure(f"expected a migration Job and 3 Deployments in deploy/kubernetes, {kinds}")
    step("podman kube play: the migration Job's pod")
    started_at = time.monotonic()
    job_file = WORK / "kube-job.yaml"
    job_file.write_text(yaml.safe_dump(job_pod))
    played.append(job_file)
    podman("kube", "play", str(job_file))
    job_container = f"{job_pod['metadata']['name']}-{job_pod['spec']['containers'][0]['name']}"
    wait_for(lambda: not running(job_container), "the migration pod finishes")
    code = podman("inspect", job_container, "--format", "{{.State.ExitCode}}").stdout.strip()
    if code != "0":
        raise Failure(f"the migration Job's pod exited {code}:\n{logs(job_container)[-2000:]}")
    step("podman kube play: the web, worker and beat Deployments")
    deployments = WORK / "kube-deployments.yaml"
    deployments.write_text(yaml.safe_dump_all(playable))
    played.append(deployments)
    podman("kube", "play", str(deployments))
    wait_for(lambda: healthz(port)[0] == 200, "the web Deployment's pod answers /healthz 200")
    figures["kube play: to healthy web"] = f"{time.monotonic() - started_at:.1f} s"
    listing = podman("pod", "ps", "--format", "{{.Name}} {{.Status}}").stdout.split("\n")
    pods = dict(line.split(" ", 1) for line in listing if RUN_ID in line)
    for doc in playable:
        name = doc["metadata"]["name"]  # its pods: NAME-pod-0, ...
        states = [state for pod, state in pods.items() if pod.startswith(f"{name}-pod")]
        if not states or any(state != "Running" for state in states):
            raise Failure(f"the pods of {name}: {states or 'none'}")
    web = next(name for name in kube_containers() if name.endswith("-web"))
    probe = podman("inspect", web, "--format", "{{json .Config.Healthcheck}}").stdout.strip()
    figures["kube play: web pod's health check (from its probes)"] = probe
    check = podman("healthcheck", "run", web, check=False)
    if check.returncode != 0:
        raise Failure(f"the web pod's health check (its liveness probe) failed: {check.stdout}")
    figures["kube play: podman healthcheck run on the web pod"] = "healthy"
    figures["kube play"] = (
        f"played {len(playable)} Deployments + the Job's pod; not played by podman "
        f"{podman('version', '--format', '{{.Client.Version}}').stdout.strip()}: "
        f"{', '.join(skipped)} (their references replaced by plain variables)"
    )


def kube_containers() -> list[str]:
    if not played:
        return []
    names = podman("ps", "-a", "--format", "{{.Names}}", check=False).stdout.split()
    return [name for name in names if RUN_ID in name and name not in started]
