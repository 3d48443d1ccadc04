// Runs the `fetch:cookiecutter` step of a Backstage template the way the scaffolder does: the
// step's input rendered with the form's answers (nunjitsu, Backstage's template engine),
// checked against the action's input schema (jsonschema, as the scaffolder checks it), then the
// built-in action's own handler, with the template registered from a local file.
//
// node fetch_cookiecutter.cjs NODE_MODULES TEMPLATE_YAML PARAMETERS_JSON WORKSPACE
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { createRequire } = require("node:module");

const [modules, templateFile, parametersJson, workspace] = process.argv.slice(2);
const load = createRequire(path.join(modules, "noop.js"));
const { createFetchCookiecutterAction } = load(
  "@backstage/plugin-scaffolder-backend-module-cookiecutter",
);
const { ScmIntegrations } = load("@backstage/integration");
const { ConfigReader } = load("@backstage/config");
const { createTemplateRenderer } = load("nunjitsu");
const { validate } = load("jsonschema");
const yaml = load("yaml");

const template = yaml.parse(fs.readFileSync(templateFile, "utf8"));
const step = template.spec.steps.find((s) => s.action === "fetch:cookiecutter");
const parameters = JSON.parse(parametersJson);
const renderer = createTemplateRenderer();

function render(value) {
  if (typeof value === "string") return renderer.renderValue(value, { parameters });
  if (Array.isArray(value)) return value.map(render);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, render(v)]));
  }
  return value;
}

async function main() {
  const action = createFetchCookiecutterAction({
    integrations: ScmIntegrations.fromConfig(new ConfigReader({})),
  });
  const input = render(step.input);
  const checked = validate(input, action.schema.input);
  if (!checked.valid) {
    throw new Error(`invalid input for ${step.action}: ${checked.errors.join("; ")}`);
  }
  const log = (...args) => console.error(...args);
  const logger = { info: log, warn: log, error: log, debug: () => {}, child: () => logger };
  await action.handler({
    input,
    workspacePath: workspace,
    logger,
    output: () => {},
    checkpoint: async ({ fn }) => fn(),
    createTemporaryDirectory: async () => fs.mkdtempSync(path.join(os.tmpdir(), "backstage-")),
    templateInfo: { baseUrl: `file://${path.resolve(templateFile)}` },
  });
}

main().catch((error) => {
  console.error(error.stack || String(error));
  process.exit(1);
});
