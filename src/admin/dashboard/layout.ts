// What every page of the family (the dashboard at `/`, the shadow report at `/shadow`) shares:
// the head of the page with the navigation between them. Pure.

export type FamilyPage = 'dashboard' | 'shadow';

const LINKS: readonly [FamilyPage, string, string][] = [
  ['dashboard', '/', 'Dashboard'],
  ['shadow', '/shadow', 'Shadow report'],
];

/** The navigation between the pages of the family, the current one marked. */
export function familyNav(current: FamilyPage): string {
  const links = LINKS.map(([page, href, text]) => `<a href="${href}"${page === current ? ' aria-current="page"' : ''}>${text}</a>`).join('');
  return `<nav class="family" aria-label="pages">${links}</nav>`;
}
