import { Link as OdsLink } from '@ovhcloud/ods-react';
import type { ComponentProps } from 'react';
import { Link } from 'react-router';

/** An ODS-styled link that navigates inside the SPA. */
export function RouterLink(props: ComponentProps<typeof Link>) {
  return <OdsLink as={Link} {...props} />;
}
