// Validates catalog entities the way Backstage's catalog does when it reads them: its default
// entity policies (@backstage/catalog-model), then the JSON schema of the entity's kind (ajv,
// with the envelope and entity schemas the kind's schema $refs): the Template kind's validator
// from @backstage/plugin-scaffolder-common, the Component kind's from @backstage/catalog-model.
//
// stdin: a JSON array of entities. stdout: a JSON array of {"valid": bool, "error": string}.
const {
  DefaultNamespaceEntityPolicy,
  EntityPolicies,
  FieldFormatEntityPolicy,
  NoForeignRootFieldsEntityPolicy,
  SchemaValidEntityPolicy,
  componentEntityV1alpha1Validator,
} = require('@backstage/catalog-model');
const { templateEntityV1beta3Validator } = require('@backstage/plugin-scaffolder-common');

// The policies of the catalog backend's CatalogBuilder.
const policy = EntityPolicies.allOf([
  new SchemaValidEntityPolicy(),
  new DefaultNamespaceEntityPolicy(),
  new NoForeignRootFieldsEntityPolicy(),
  new FieldFormatEntityPolicy(),
]);
const kindValidators = {
  Template: templateEntityV1beta3Validator,
  Component: componentEntityV1alpha1Validator,
};

async function check(entity) {
  try {
    const checked = await policy.enforce(entity);
    const validator = kindValidators[checked.kind];
    if (!validator) {
      return { valid: false, error: `no validator for kind ${checked.kind}` };
    }
    // check() is false when the entity is not of the validator's kind and apiVersion.
    if (!(await validator.check(checked))) {
      return { valid: false, error: `not a known ${checked.kind} apiVersion: ${checked.apiVersion}` };
    }
    return { valid: true, error: '' };
  } catch (error) {
    return { valid: false, error: String(error.message) };
  }
}

async function main() {
  const entities = JSON.parse(require('fs').readFileSync(0, 'utf8'));
  const results = [];
  for (const entity of entities) {
    results.push(await check(entity));
  }
  process.stdout.write(JSON.stringify(results));
}

main();
