"""Reads what .ci/container runs from the Dockerfile (its last stage), as shell assignments."""
import json
import re
import shlex
import sys

text = open(sys.argv[1]).read().replace("\\\n", " ")
lines = [l.strip() for l in text.splitlines() if l.strip() and not l.strip().startswith("#")]
stages, cur = [], []
for l in lines:
    if l.upper().startswith("FROM "):
        cur = []
        stages.append(cur)
    cur.append(l)
build, runtime = stages[0], stages[-1]


def instr(stage, name):
    return [l[len(name) + 1:].strip() for l in stage if l.upper().startswith(name + " ")]


def exec_form(value):
    value = re.sub(r"^(--\S+\s+)+", "", value)  # HEALTHCHECK options
    if value.upper().startswith("CMD "):
        value = value[4:].strip()
    return json.loads(value)


# The build stage's cargo command, without the cache mounts and the copy out of the stage.
cargo = next(r for r in instr(build, "RUN") if "cargo build" in r)
cargo = re.sub(r"--mount=\S+\s*", "", cargo)
cargo = "cargo build" + cargo.split("cargo build", 1)[1].split("&&")[0]
envs = []
for e in instr(runtime, "ENV"):
    envs += shlex.split(e)
start = exec_form(instr(runtime, "ENTRYPOINT")[-1]) + exec_form(instr(runtime, "CMD")[-1])
health = exec_form(instr(runtime, "HEALTHCHECK")[-1])
out = {
    "BUILD_CMD": shlex.quote(cargo.strip()),
    "RUN_USER": shlex.quote(instr(runtime, "USER")[-1]),
    "STOP_SIGNAL": shlex.quote((instr(runtime, "STOPSIGNAL") or ["SIGTERM"])[-1]),
}
for k, v in out.items():
    print(f"{k}={v}")
print("ENV_LINES=(" + " ".join(shlex.quote(e) for e in envs) + ")")
print("START=(" + " ".join(shlex.quote(a) for a in start) + ")")
print("HEALTH=(" + " ".join(shlex.quote(a) for a in health) + ")")
