
/** The permissions of a role as clients see them: sorted, so the answer is stable. */
export function permissionsOf(role: { readonly permissions: readonly string[] }): string[] {
  return [...role.permissions].sort();
}
