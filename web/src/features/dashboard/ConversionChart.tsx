import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { ChartFigure } from './ChartFigure.tsx';
import type { SalesDashboard } from './useSalesDashboard.ts';

const share = (part: number, whole: number) => (whole === 0 ? '—' : `${Math.round((part / whole) * 100)}%`);

/** Leads created in the period, how many became contacts and how many of those have a won deal. */
export function ConversionChart({ conversion, showTable }: { conversion: SalesDashboard['conversion']; showTable: boolean }) {
  const steps = [
    { step: 'Leads', count: conversion.leads, of: '' },
    { step: 'Contacts', count: conversion.converted, of: share(conversion.converted, conversion.leads) },
    { step: 'Won', count: conversion.won, of: share(conversion.won, conversion.converted) },
  ];
  return (
    <ChartFigure
      title="Conversion: lead → contact → won"
      showTable={showTable}
      chart={
        <ResponsiveContainer width="100%" height={180}>
          <BarChart accessibilityLayer={false} data={steps} layout="vertical">
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis type="number" allowDecimals={false} />
            <YAxis type="category" dataKey="step" />
            <Tooltip />
            <Bar dataKey="count" name="People" fill="#3b6fd8" isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      }
      table={
        <table>
          <caption>Conversion of the leads created in the period</caption>
          <thead>
            <tr>
              <th scope="col">Step</th>
              <th scope="col">Count</th>
              <th scope="col">Of the step before</th>
            </tr>
          </thead>
          <tbody>
            {steps.map((row) => (
              <tr key={row.step}>
                <td>{row.step}</td>
                <td>{row.count}</td>
                <td>{row.of || '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    />
  );
}
