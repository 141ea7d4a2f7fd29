/**
 * What kind of line a national number reaches, per country, by prefix of the national significant number
 * (the digits after the country code). Only the countries the default calling plan names need this detail:
 * France and the 12 European countries whose landlines are included. Everywhere else a number is simply
 * "international". Ranges are summarised from each regulator's national numbering plan as notified to the ITU
 * (ARCEP for France, BIPT, BNetzA, CNMC, AGCOM, Ofcom, ACM, ANACOM, ComReg, RTR, ILR, OFCOM-CH, Energistyrelsen)
 * and are deliberately coarse: they are data, so correcting one is an edit here, not a code change.
 */
export type LineType = 'landline' | 'mobile' | 'toll-free' | 'premium' | 'shared-cost' | 'other';

/** One numbering range: a prefix of the national significant number, its line type and valid lengths. */
export interface NumberRange {
  readonly prefix: string;
  readonly type: LineType;
  /** Inclusive bounds on the national significant number's length. */
  readonly minLength: number;
  readonly maxLength: number;
}

/** A country's numbering: its calling code, trunk prefix for national dialling, and ranges. */
export interface NationalPlan {
  readonly country: string;
  readonly callingCode: string;
  /** Dialled before a national number inside the country ('0' in most of Europe); null when none. */
  readonly trunkPrefix: string | null;
  readonly ranges: readonly NumberRange[];
}

function ranges(type: LineType, minLength: number, maxLength: number, prefixes: readonly string[]): NumberRange[] {
  return prefixes.map((prefix) => ({ prefix, type, minLength, maxLength }));
}

/** The national plans known to the classifier, keyed by ISO country. */
export const nationalPlans: Readonly<Record<string, NationalPlan>> = {
  FR: {
    country: 'FR',
    callingCode: '33',
    trunkPrefix: '0',
    ranges: [
      ...ranges('landline', 9, 9, ['1', '2', '3', '4', '5', '9']),
      ...ranges('mobile', 9, 9, ['6', '7']),
      // ARCEP: 0800-0805 are free to the caller; 0806-0809 are charged as an ordinary call.
      ...ranges('toll-free', 9, 9, ['800', '801', '802', '803', '804', '805']),
      ...ranges('landline', 9, 9, ['806', '807', '808', '809']),
      ...ranges('shared-cost', 9, 9, ['81', '82']),
      ...ranges('premium', 9, 9, ['89']),
      // Any other 08 range is a value-added service: treat it as premium, the cautious side for money.
      ...ranges('premium', 9, 9, ['8']),
    ],
  },
  BE: {
    country: 'BE',
    callingCode: '32',
    trunkPrefix: '0',
    ranges: [
      ...ranges('landline', 8, 8, ['2', '3', '4', '5', '6', '7', '8', '9']),
      ...ranges('mobile', 9, 9, ['456', '46', '47', '48', '49']),
      ...ranges('toll-free', 8, 8, ['800']),
      ...ranges('shared-cost', 8, 8, ['70', '78']),
      ...ranges('premium', 8, 8, ['90']),
    ],
  },
  DE: {
    country: 'DE',
    callingCode: '49',
    trunkPrefix: '0',
    ranges: [
      ...ranges('landline', 6, 11, ['2', '3', '4', '5', '6', '7', '8', '9']),
      ...ranges('mobile', 10, 11, ['15', '16', '17']),
      ...ranges('toll-free', 10, 11, ['800']),
      ...ranges('shared-cost', 7, 11, ['180']),
      ...ranges('premium', 10, 11, ['900']),
      ...ranges('other', 10, 11, ['700', '32']),
    ],
  },
  ES: {
    country: 'ES',
    callingCode: '34',
    trunkPrefix: null,
    ranges: [
      ...ranges('landline', 9, 9, ['8', '9']),
      ...ranges('mobile', 9, 9, ['6', '7']),
      ...ranges('toll-free', 9, 9, ['800', '900']),
      ...ranges('shared-cost', 9, 9, ['901', '902']),
      ...ranges('premium', 9, 9, ['803', '806', '807', '905']),
    ],
  },
  IT: {
    country: 'IT',
    callingCode: '39',
    trunkPrefix: null,
    ranges: [
      // Italian geographic numbers keep their leading 0 in E.164.
      ...ranges('landline', 6, 11, ['0']),
      ...ranges('mobile', 9, 10, ['3']),
      ...ranges('toll-free', 6, 10, ['800', '803']),
      ...ranges('shared-cost', 6, 10, ['84']),
      ...ranges('premium', 6, 10, ['89']),
    ],
  },
  GB: {
    country: 'GB',
    callingCode: '44',
    trunkPrefix: '0',
    ranges: [
      ...ranges('landline', 9, 10, ['1', '2']),
      // Ofcom: 03 numbers cost the same as geographic ones.
      ...ranges('landline', 10, 10, ['3']),
      ...ranges('mobile', 10, 10, ['7']),
      ...ranges('other', 10, 10, ['70', '76', '5']),
      ...ranges('toll-free', 9, 10, ['800', '808']),
      ...ranges('shared-cost', 10, 10, ['84', '87']),
      ...ranges('premium', 10, 10, ['9']),
    ],
  },
  NL: {
    country: 'NL',
    callingCode: '31',
    trunkPrefix: '0',
    ranges: [
      ...ranges('landline', 9, 9, ['1', '2', '3', '4', '5', '7', '85', '88']),
      ...ranges('mobile', 9, 9, ['6']),
      ...ranges('other', 9, 9, ['66', '84', '87']),
      ...ranges('toll-free', 7, 10, ['800']),
      ...ranges('premium', 7, 10, ['900', '906', '909']),
    ],
  },
  PT: {
    country: 'PT',
    callingCode: '351',
    trunkPrefix: null,
    ranges: [
      ...ranges('landline', 9, 9, ['2', '30']),
      ...ranges('mobile', 9, 9, ['91', '92', '93', '96']),
      ...ranges('toll-free', 9, 9, ['800']),
      ...ranges('shared-cost', 9, 9, ['707', '708', '808']),
      ...ranges('premium', 9, 9, ['6']),
    ],
  },
  IE: {
    country: 'IE',
    callingCode: '353',
    trunkPrefix: '0',
    ranges: [
      ...ranges('landline', 7, 9, ['1', '2', '4', '5', '6', '7', '9']),
      ...ranges('mobile', 9, 9, ['83', '85', '86', '87', '89']),
      ...ranges('toll-free', 9, 10, ['1800']),
      ...ranges('shared-cost', 9, 10, ['1850', '1890', '818']),
      ...ranges('premium', 9, 10, ['15']),
    ],
  },
  AT: {
    country: 'AT',
    callingCode: '43',
    trunkPrefix: '0',
    ranges: [
      ...ranges('landline', 4, 13, ['1', '2', '3', '4', '5', '7']),
      ...ranges('mobile', 10, 13, ['650', '660', '664', '676', '677', '678', '680', '681', '688', '699']),
      ...ranges('toll-free', 7, 13, ['800']),
      ...ranges('shared-cost', 7, 13, ['810', '820', '821']),
      ...ranges('premium', 7, 13, ['900', '901', '930', '931', '939']),
    ],
  },
  LU: {
    country: 'LU',
    callingCode: '352',
    trunkPrefix: null,
    ranges: [
      ...ranges('landline', 4, 11, ['2', '3', '4', '5', '7', '8', '9']),
      ...ranges('mobile', 9, 9, ['621', '628', '661', '668', '691', '698']),
      ...ranges('toll-free', 8, 8, ['800']),
      ...ranges('premium', 8, 8, ['900', '901', '905']),
    ],
  },
  CH: {
    country: 'CH',
    callingCode: '41',
    trunkPrefix: '0',
    ranges: [
      ...ranges('landline', 9, 9, ['2', '3', '4', '5', '6', '81', '91']),
      ...ranges('mobile', 9, 9, ['74', '75', '76', '77', '78', '79']),
      ...ranges('toll-free', 9, 9, ['800']),
      ...ranges('shared-cost', 9, 9, ['84']),
      ...ranges('premium', 9, 9, ['900', '901', '906']),
    ],
  },
  DK: {
    country: 'DK',
    callingCode: '45',
    trunkPrefix: null,
    ranges: [
      // Danish landlines and mobiles share 8-digit numbering; the mobile blocks are listed over the default.
      ...ranges('landline', 8, 8, ['3', '4', '5', '6', '7', '8', '9']),
      ...ranges('mobile', 8, 8, ['2', '30', '31', '40', '41', '42', '50', '51', '52', '53', '60', '61', '71', '81', '91', '92', '93']),
      ...ranges('toll-free', 8, 8, ['80']),
      ...ranges('premium', 8, 8, ['90']),
    ],
  },
};

/** The line type of a national significant number: the longest matching range whose lengths fit. */
export function lineTypeOf(plan: NationalPlan, national: string): LineType | 'invalid' {
  let best: NumberRange | undefined;
  for (const range of plan.ranges) {
    if (!national.startsWith(range.prefix)) continue;
    if (national.length < range.minLength || national.length > range.maxLength) continue;
    if (!best || range.prefix.length > best.prefix.length) best = range;
  }
  return best ? best.type : 'invalid';
}
