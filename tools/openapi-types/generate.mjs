import openapiTS, { astToString } from 'openapi-typescript';

/**
 * The TypeScript `paths`/`components` types of an OpenAPI document, as openapi-fetch expects them.
 * @param {object} document an OpenAPI 3 document
 * @returns {Promise<string>}
 */
export async function openapiTypes(document) {
  const ast = await openapiTS(document, { alphabetize: true, exportType: true });
  return astToString(ast);
}
