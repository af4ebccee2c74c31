import { coerceInputValue, type GraphQLField } from 'graphql';
import { withoutArgumentValues } from '../shared/argument-values.ts';
import { InvalidInputError } from '../shared/errors.ts';

/**
 * Refuses a JSON body whose values do not have their arguments' GraphQL types, by the same
 * coercion graphql-js applies to GraphQL variables: `"phoneNumber": 5550100` for a `String!`
 * fails here as it fails on /graphql, where SOFA would otherwise turn the number into a string.
 * Only the arguments present are checked: a missing one is GraphQL's to report.
 */
export function checkArgumentTypes(field: GraphQLField<unknown, unknown>, body: Readonly<Record<string, unknown>>): void {
  for (const arg of field.args) {
    if (!Object.hasOwn(body, arg.name)) continue;
    coerceInputValue(body[arg.name], arg.type, (path, _invalid, error) => {
      const where = [arg.name, ...path].map((key, index) => (typeof key === 'number' ? `[${key}]` : index === 0 ? key : `.${key}`)).join('');
      throw new InvalidInputError(where, `${where}: ${withoutArgumentValues(error.message)}`);
    });
  }
}
