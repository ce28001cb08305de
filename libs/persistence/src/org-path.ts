/**
 * Org paths are ltree values whose labels are the org ids without dashes
 * (ltree labels allow only letters, digits and underscores in PostgreSQL 15).
 */
export function idToLabel(id: string): string {
  return id.replace(/-/g, '');
}

export function labelToId(label: string): string {
  return `${label.slice(0, 8)}-${label.slice(8, 12)}-${label.slice(12, 16)}-${label.slice(16, 20)}-${label.slice(20)}`;
}

export function pathToIds(path: string): string[] {
  return path.split('.').map(labelToId);
}

export function idsToPath(ids: readonly string[]): string {
  return ids.map(idToLabel).join('.');
}

export function childPath(parentPath: string | null, id: string): string {
  return parentPath ? `${parentPath}.${idToLabel(id)}` : idToLabel(id);
}
