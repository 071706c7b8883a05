import { Skeleton } from '@ovhcloud/ods-react';

/** Placeholder rows for a table whose first page is still loading, so the layout does not jump. */
export function SkeletonRows({ rows, columns }: { rows: number; columns: number }) {
  return Array.from({ length: rows }, (_, i) => (
    <tr key={i}>
      {Array.from({ length: columns }, (__, j) => (
        <td key={j}>
          <Skeleton />
        </td>
      ))}
    </tr>
  ));
}
