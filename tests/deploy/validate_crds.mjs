// Validates custom resources against the schemas of their operators' CRDs: Strimzi
// (kafka.strimzi.io, core.strimzi.io) and the Prometheus Operator (monitoring.coreos.com),
// from the npm packages @kubernetes-models/* that tools/dev/deploy-tools installs. Those
// packages hold validators compiled from the CRDs' openAPIV3Schema.
//
// A CRD schema lets unknown fields through (the API server prunes them silently), so this
// also reports every field name, outside free-form maps, that the kind's schema does not
// name anywhere: a typo would otherwise vanish on apply.
//
//   node validate_crds.mjs NODE_MODULES < objects.json
// stdin: a JSON array of objects; stdout: a JSON array of {ok, errors[]}, one per object.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const modules = process.argv[2];
const packages = {
  "kafka.strimzi.io": "@kubernetes-models/strimzi-kafka-operator",
  "core.strimzi.io": "@kubernetes-models/strimzi-kafka-operator",
  "monitoring.coreos.com": "@kubernetes-models/prometheus-operator",
};
// Maps whose keys are data, not schema fields.
const freeForm = new Set(["config", "labels", "annotations", "matchLabels", "nodeSelector",
  "requests", "limits", "data", "stringData", "externalLabels"]);

function knownNames(schemaFile, seen = new Set(), names = new Set()) {
  if (seen.has(schemaFile)) return names;
  seen.add(schemaFile);
  const text = readFileSync(schemaFile, "utf8");
  for (const re of [/data\.([A-Za-z_$][\w$]*)/g, /data\["([^"]+)"\]/g, /parentDataProperty:"([^"]+)"/g,
                    /missingProperty:"([^"]+)"/g]) {
    for (const m of text.matchAll(re)) names.add(m[1]);
  }
  for (const m of text.matchAll(/from"((?:\.\/|@kubernetes-models\/[^"]*_schemas\/)[^"]+)"/g)) {
    const target = m[1].startsWith("@") ? join(modules, m[1]) : join(schemaFile, "..", m[1]);
    knownNames(target.endsWith(".js") ? target : target + ".js", seen, names);
  }
  return names;
}

function unknownFields(value, names, path, out) {
  if (Array.isArray(value)) {
    value.forEach((v, i) => unknownFields(v, names, `${path}/${i}`, out));
  } else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (!names.has(k)) out.push(`${path}/${k}: field not in the schema`);
      if (!freeForm.has(k)) unknownFields(v, names, `${path}/${k}`, out);
    }
  }
}

const objects = JSON.parse(readFileSync(0, "utf8"));
const results = [];
for (const obj of objects) {
  const [group, version] = String(obj.apiVersion).split("/");
  const pkg = packages[group];
  if (!pkg) { results.push({ ok: false, errors: [`no schema package for ${obj.apiVersion}`] }); continue; }
  const dir = join(modules, pkg);
  let Model, schemaFile;
  try {
    const mod = await import(pathToFileURL(join(dir, group, version, `${obj.kind}.js`)).href);
    Model = mod[obj.kind];
    const src = readFileSync(join(dir, group, version, `${obj.kind}.js`), "utf8");
    schemaFile = join(dir, group, version, src.match(/from"(\.\.\/\.\.\/_schemas\/[^"]+)"/)[1]);
  } catch (e) {
    results.push({ ok: false, errors: [`no schema for ${obj.apiVersion} ${obj.kind}: ${e.message}`] });
    continue;
  }
  const errors = [];
  try { new Model(obj).validate(); } catch (e) { errors.push(String(e.message || e)); }
  unknownFields(obj.spec ?? {}, knownNames(schemaFile), "/spec", errors);
  results.push({ ok: errors.length === 0, errors });
}
process.stdout.write(JSON.stringify(results));
