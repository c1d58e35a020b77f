import { redirect } from 'next/navigation';

export default function WorkloadsPage(): never {
  redirect('/workloads/pods');
}
