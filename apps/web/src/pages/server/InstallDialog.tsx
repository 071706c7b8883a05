import { BYOI_TEMPLATE } from '@byoi/shared';
import type { TemplateCategoryDto } from '@byoi/shared';
import {
  Button,
  Message,
  MessageBody,
  MessageIcon,
  Modal,
  ModalBody,
  ModalContent,
  Skeleton,
} from '@ovhcloud/ods-react';
import { useId, useState } from 'react';
import { useLocation, useNavigate, useParams } from 'react-router';
import { useTemplates } from '../../data/servers/hooks.ts';
import { useCanOperate } from '../../data/session/hooks.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { dataLossSentence } from '../../ui/words.ts';

export const BYOI_LABEL = 'Bring Your Own Image - byoi';
const CUSTOM_CATEGORY = 'Custom';

type Step = 'source' | 'template';

/** The product only installs BYOI: make sure the Custom category offers it, whatever OVH lists. */
export function withByoi(categories: TemplateCategoryDto[]): TemplateCategoryDto[] {
  const hasByoi = categories.some((c) => c.templates.some((t) => t.name === BYOI_TEMPLATE));
  if (hasByoi) return categories;
  const byoi = { name: BYOI_TEMPLATE, displayName: BYOI_LABEL, description: null, family: null };
  const custom = categories.find((c) => c.label === CUSTOM_CATEGORY);
  if (custom) {
    return categories.map((c) => (c === custom ? { ...c, templates: [byoi, ...c.templates] } : c));
  }
  return [...categories, { category: 'CUSTOMER', label: CUSTOM_CATEGORY, templates: [byoi] }];
}

function SourceStep({
  sn,
  onNext,
  onCancel,
}: {
  sn: string;
  onNext: () => void;
  onCancel: () => void;
}) {
  const [source, setSource] = useState<'ovh' | ''>('ovh');
  return (
    <>
      <div className="wizard__scroll">
        <Message color="warning" dismissible={false} className="wizard__warning">
          <MessageIcon name="triangle-exclamation" />
          <MessageBody>{dataLossSentence(sn)}</MessageBody>
        </Message>
        <fieldset className="wizard__choices" style={{ border: 0, padding: 0, margin: 0 }}>
          <legend className="wizard__step">Where does the system come from?</legend>
          <div className="choice">
            <input
              id="source-ovh"
              type="radio"
              name="install-source"
              value="ovh"
              checked={source === 'ovh'}
              onChange={() => setSource('ovh')}
              aria-describedby="source-ovh-hint"
            />
            <div>
              <label htmlFor="source-ovh" className="choice__label">
                Install from an OVHcloud template
              </label>
              <span className="choice__hint" id="source-ovh-hint">
                Includes the Custom category, where Bring Your Own Image lives.
              </span>
            </div>
          </div>
          <div className="choice">
            <input
              id="source-personal"
              type="radio"
              name="install-source"
              value="personal"
              disabled
              aria-describedby="source-personal-hint"
            />
            <div>
              <label htmlFor="source-personal" className="choice__label">
                Install from one of your templates
              </label>
              <span className="choice__hint" id="source-personal-hint">
                Not used for Bring Your Own Image: your image URL replaces a saved template.
              </span>
            </div>
          </div>
        </fieldset>
      </div>
      <div className="wizard__footer">
        <Button variant="ghost" onClick={onCancel}>
          Cancel
        </Button>
        <Button disabled={source !== 'ovh'} onClick={onNext}>
          Next
        </Button>
      </div>
    </>
  );
}

function TemplateStep({
  sn,
  onBack,
  onCancel,
  onNext,
}: {
  sn: string;
  onBack: () => void;
  onCancel: () => void;
  onNext: () => void;
}) {
  const templates = useTemplates(sn);
  const categories = withByoi(templates.data?.categories ?? []);
  const [activeLabel, setActiveLabel] = useState<string | undefined>(undefined);
  const [selected, setSelected] = useState<string>('');
  const active = categories.find((c) => c.label === activeLabel) ?? categories[0];
  const listId = useId();

  return (
    <>
      <div className="wizard__scroll wizard__scroll--split">
        {templates.isError ? (
          <ErrorMessage error={templates.error} title="Could not list OVHcloud templates.">
            {' '}
            Bring Your Own Image stays available under Custom.
          </ErrorMessage>
        ) : null}
        {templates.isPending ? (
          <Skeleton />
        ) : (
          <div className="categories">
            <ul className="categories__list" aria-label="Template categories">
              {categories.map((category) => (
                <li key={category.label}>
                  <button
                    type="button"
                    className="categories__item"
                    aria-current={category === active ? 'true' : undefined}
                    aria-controls={listId}
                    onClick={() => setActiveLabel(category.label)}
                  >
                    {category.label}
                  </button>
                </li>
              ))}
            </ul>
            <div className="categories__templates">
              <fieldset
                id={listId}
                className="wizard__choices"
                style={{ border: 0, padding: 0, margin: 0, minWidth: 0 }}
              >
                <legend className="wizard__step">{active?.label ?? ''} templates</legend>
                {active?.templates.map((template) => {
                  const isByoi = template.name === BYOI_TEMPLATE;
                  return (
                    <div className="choice" key={template.name}>
                      <input
                        id={`template-${template.name}`}
                        type="radio"
                        name="install-template"
                        value={template.name}
                        disabled={!isByoi}
                        checked={selected === template.name}
                        onChange={() => setSelected(template.name)}
                        aria-describedby={`template-${template.name}-hint`}
                      />
                      <div>
                        <label htmlFor={`template-${template.name}`} className="choice__label">
                          {isByoi ? BYOI_LABEL : template.displayName}
                        </label>
                        <span className="choice__hint" id={`template-${template.name}-hint`}>
                          {isByoi
                            ? 'Deploy your own qcow2 or raw image from a URL.'
                            : 'This console installs Bring Your Own Image only.'}
                        </span>
                      </div>
                    </div>
                  );
                })}
              </fieldset>
            </div>
          </div>
        )}
      </div>
      <div className="wizard__footer">
        <Button variant="outline" onClick={onBack} className="wizard__spacer">
          Back
        </Button>
        <Button variant="ghost" onClick={onCancel}>
          Cancel
        </Button>
        <Button disabled={selected !== BYOI_TEMPLATE} onClick={onNext}>
          Next
        </Button>
      </div>
    </>
  );
}

export default function InstallDialog({ step }: { step: Step }) {
  const sn = useParams().sn ?? '';
  const navigate = useNavigate();
  const base = `/servers/${encodeURIComponent(sn)}`;
  // What the wizard was opened with (`?reuse=install:…`, `?image=…&version=…`) goes to every step
  // and on to the configuration page, which fills the form from it.
  const { search } = useLocation();
  const titleId = useId();
  const close = () => void navigate(base);
  const canOperate = useCanOperate();

  return (
    <Modal open onOpenChange={({ open }) => (open ? undefined : close())} closeOnEscape>
      {/* One fixed size for every step and category: only the middle scrolls, the buttons stay. */}
      <ModalContent aria-labelledby={titleId} className="wizard">
        <ModalBody className="wizard__body">
          <div className="wizard__head">
            <h2 className="wizard__title" id={titleId}>
              Install an operating system
            </h2>
            <p className="wizard__step">
              Step {step === 'source' ? 1 : 2} of 3 ·{' '}
              {step === 'source' ? 'Choose the source' : 'Choose the template'} · {sn}
            </p>
          </div>
          {!canOperate ? (
            <>
              <p role="alert" className="wizard__scroll">
                Your role is viewer: installing needs the operator role. Ask an operator, or an
                administrator to change your role.
              </p>
              <div className="wizard__footer">
                <Button onClick={close}>Close</Button>
              </div>
            </>
          ) : step === 'source' ? (
            <SourceStep
              sn={sn}
              onCancel={close}
              onNext={() => void navigate(`${base}/install/template${search}`)}
            />
          ) : (
            <TemplateStep
              sn={sn}
              onCancel={close}
              onBack={() => void navigate(`${base}/install/source${search}`)}
              onNext={() => void navigate(`${base}/install/configure${search}`)}
            />
          )}
        </ModalBody>
      </ModalContent>
    </Modal>
  );
}
