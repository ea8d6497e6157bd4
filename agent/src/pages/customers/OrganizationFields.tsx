import { ErrorNotice, TextArea, TextInput } from '../../components/forms.tsx';
import { t } from '../../i18n/index.ts';
import type { Organization } from '../../lib/types.ts';
import { detailErrors, splitWords } from './parts.tsx';

export interface OrganizationForm {
  name: string;
  domains: string;
  tags: string;
  details: string;
  notes: string;
}

const ORGANIZATION_LABELS = () => ({
  name: t('customers.form.name'),
  domain_names: t('customers.form.domains'),
  tags: t('customers.form.tags'),
  details: t('customers.form.details'),
  notes: t('customers.form.notes'),
});

/** The fields of an organization, shared by "Add organization" and the organization's edit form. */
export function OrganizationFields({
  form,
  onChange,
  error,
}: {
  form: OrganizationForm;
  onChange: (form: OrganizationForm) => void;
  error: unknown;
}) {
  const { byField, rest } = detailErrors(error, ORGANIZATION_LABELS(), {
    domain_names: splitWords(form.domains),
    tags: splitWords(form.tags),
  });
  const set = (patch: Partial<OrganizationForm>) => onChange({ ...form, ...patch });
  return (
    <>
      <TextInput
        label={t('customers.form.name')}
        value={form.name}
        onChange={(e) => set({ name: e.target.value })}
        error={byField.name}
        required
        autoComplete="off"
      />
      <TextInput
        label={t('customers.form.domains')}
        hint={t('customers.form.domainsHint')}
        value={form.domains}
        onChange={(e) => set({ domains: e.target.value })}
        error={byField.domain_names}
        autoComplete="off"
      />
      <TextInput
        label={t('customers.form.tags')}
        hint={t('customers.form.tagsHint')}
        value={form.tags}
        onChange={(e) => set({ tags: e.target.value })}
        error={byField.tags}
        autoComplete="off"
      />
      <TextArea
        label={t('customers.form.details')}
        value={form.details}
        onChange={(e) => set({ details: e.target.value })}
        error={byField.details}
      />
      <TextArea
        label={t('customers.form.notes')}
        hint={t('customers.form.orgNotes')}
        value={form.notes}
        onChange={(e) => set({ notes: e.target.value })}
        error={byField.notes}
      />
      <ErrorNotice error={rest} />
    </>
  );
}

export function organizationFormFrom(organization: Organization): OrganizationForm {
  return {
    name: organization.name,
    domains: organization.domain_names.join(' '),
    tags: organization.tags.join(' '),
    details: organization.details ?? '',
    notes: organization.notes ?? '',
  };
}
