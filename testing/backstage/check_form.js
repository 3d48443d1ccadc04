// Puts a Template's parameter pages through Backstage's own form code:
// - the scaffolder backend's check when a task is created: the values must satisfy every page's
//   schema (the `jsonschema` package, as plugin-scaffolder-backend's router calls it);
// - the frontend: each page is a react-jsonschema-form validated with @rjsf/validator-ajv8, its
//   `ui:` keys moved to the uiSchema first, and it shows the fields of the schema that
//   @rjsf/utils' retrieveSchema resolves for the current answers (dependencies, if/then).
//
// stdin: {"pages": [...], "cases": [values...], "shown": [{"page": i, "values": {...}}]}
// stdout: {"cases": [{"backend": [errors], "frontend": [errors]}],
//          "shown": [resolved properties of the page, for each request]}
const { validate } = require('jsonschema');
const validator = require('@rjsf/validator-ajv8').default;
const { retrieveSchema } = require('@rjsf/utils');

// What Backstage's extractSchemaFromStep leaves for the form schema: no `ui:` keys.
function withoutUiKeys(schema) {
  if (Array.isArray(schema)) {
    return schema.map(withoutUiKeys);
  }
  if (schema && typeof schema === 'object') {
    return Object.fromEntries(
      Object.entries(schema)
        .filter(([key]) => !key.startsWith('ui:'))
        .map(([key, value]) => [key, withoutUiKeys(value)]),
    );
  }
  return schema;
}

function main() {
  const request = JSON.parse(require('fs').readFileSync(0, 'utf8'));
  const pages = request.pages.map(withoutUiKeys);
  const cases = request.cases.map(values => ({
    backend: request.pages.flatMap(page => validate(values, page).errors.map(String)),
    frontend: pages.flatMap(page =>
      validator.validateFormData(values, page).errors.map(e => `${e.property} ${e.message}`),
    ),
  }));
  const shown = request.shown.map(({ page, values }) => {
    const schema = pages[page];
    return retrieveSchema(validator, schema, schema, values).properties;
  });
  process.stdout.write(JSON.stringify({ cases, shown }));
}

main();
