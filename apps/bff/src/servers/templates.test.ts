import { describe, expect, it } from 'vitest';
import { groupTemplates } from './templates.ts';

const t = (templateName: string, description: string, category: string) => ({
  templateName,
  description,
  category,
  family: 'linux',
  distribution: templateName,
});

describe('groupTemplates', () => {
  it('groups by category with Control Panel labels, byoi_64 under Custom', () => {
    const { categories } = groupTemplates(
      [
        t('byoi_64', 'Bring Your Own Image - byoi', 'CUSTOMER'),
        t('debian12_64', 'Debian 12 (Bookworm)', 'BASIC'),
        t('proxmox8_64', 'Proxmox VE 8', 'READY_TO_USE'),
        t('alma9_64', 'AlmaLinux 9', 'BASIC'),
        t('odd_64', 'Odd', 'SOMETHING_NEW'),
      ],
      ['my-template'],
    );
    expect(categories.map((c) => [c.category, c.label])).toEqual([
      ['BASIC', 'Basic'],
      ['READY_TO_USE', 'Ready to use'],
      ['CUSTOMER', 'Custom'],
      ['PERSONAL', 'Personal'],
      ['SOMETHING_NEW', 'Something new'],
    ]);
    expect(categories[0]?.templates.map((x) => x.name)).toEqual(['alma9_64', 'debian12_64']);
    expect(categories[2]?.templates).toEqual([
      {
        name: 'byoi_64',
        displayName: 'Bring Your Own Image - byoi',
        description: 'Bring Your Own Image - byoi',
        family: 'linux',
      },
    ]);
  });
});
