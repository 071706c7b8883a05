/** Compatible templates grouped into the Control Panel's categories (byoi_64 sits in `Custom`). */
import type { TemplateCategoryDto, TemplateDto, TemplatesResponse } from '@byoi/shared';
import type { InstallationTemplate } from '../ovh/types.ts';

/** OVH category → what the Control Panel calls it, in its order. */
export const CATEGORY_LABELS: Record<string, string> = {
  BASIC: 'Basic',
  READY_TO_USE: 'Ready to use',
  VIRTUALISATION: 'Virtualisation',
  HOSTING: 'Hosting',
  CUSTOMER: 'Custom',
  OTHER: 'Other',
  PERSONAL: 'Personal',
};
const ORDER = Object.keys(CATEGORY_LABELS);

function labelOf(category: string): string {
  return (
    CATEGORY_LABELS[category] ??
    category
      .toLowerCase()
      .split('_')
      .map((w, i) => (i === 0 ? w.charAt(0).toUpperCase() + w.slice(1) : w))
      .join(' ')
  );
}

function rank(category: string): number {
  const i = ORDER.indexOf(category);
  return i === -1 ? ORDER.length : i;
}

export function groupTemplates(
  ovhTemplates: InstallationTemplate[],
  personalNames: string[],
): TemplatesResponse {
  const groups = new Map<string, TemplateDto[]>();
  const add = (category: string, dto: TemplateDto) => {
    const list = groups.get(category) ?? [];
    list.push(dto);
    groups.set(category, list);
  };
  for (const t of ovhTemplates) {
    add((t.category ?? 'OTHER').toUpperCase(), {
      name: t.templateName,
      // OVH's description is the Control Panel's display name, e.g. "Bring Your Own Image - byoi".
      displayName: t.description ?? t.templateName,
      description: t.description ?? null,
      family: t.family ?? null,
    });
  }
  for (const name of personalNames) {
    add('PERSONAL', { name, displayName: name, description: null, family: null });
  }
  const categories: TemplateCategoryDto[] = [...groups.entries()]
    .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
    .map(([category, templates]) => ({
      category,
      label: labelOf(category),
      templates: templates.sort((x, y) => x.displayName.localeCompare(y.displayName)),
    }));
  return { categories };
}
