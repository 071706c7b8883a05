import { Breadcrumb, BreadcrumbItem, BreadcrumbLink } from '@ovhcloud/ods-react';
import { Link } from 'react-router';

export interface Crumb {
  label: string;
  to?: string;
}

export function PageBreadcrumb({ items }: { items: Crumb[] }) {
  return (
    <Breadcrumb aria-label="Breadcrumb" className="page-breadcrumb" noCollapse>
      {items.map((item) => (
        <BreadcrumbItem key={item.label}>
          {item.to ? (
            <BreadcrumbLink as={Link} to={item.to}>
              {item.label}
            </BreadcrumbLink>
          ) : (
            <BreadcrumbLink>{item.label}</BreadcrumbLink>
          )}
        </BreadcrumbItem>
      ))}
    </Breadcrumb>
  );
}
