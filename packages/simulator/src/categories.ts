/**
 * The demo shop's departments: word lists for product names, brands, typical prices and price-band
 * cut-offs, and which departments complement each other (coffee → kitchen). All brand names are
 * invented. Internal data; the public view is in catalog.ts.
 */

/** One kind of product: its name and a typical price in dollars. */
export type Kind = readonly [name: string, price: number];

export interface CategorySpec {
  name: string;
  /** Relative share of the catalog. */
  share: number;
  brands: readonly string[];
  kinds: readonly Kind[];
  adjectives: readonly string[];
  /** Optional model suffixes ("Pro", "Mini"); '' means none. */
  suffixes: readonly string[];
  /** Prices below `bands[0]` are low, from `bands[1]` high, mid in between. */
  bands: readonly [lowMax: number, highMin: number];
  /** Price limits (a product's price is clamped to them). */
  min: number;
  max: number;
  /** Departments a shopper often moves on to from this one. */
  complements: readonly string[];
  blurbs: readonly string[];
}

export const CATEGORY_SPECS: readonly CategorySpec[] = [
  {
    name: 'Coffee & Tea', share: 1.1,
    brands: ['Brewhaus', 'Crema Lab', 'Morning Ritual', 'Tealeaf & Stone', 'Hearthware'],
    kinds: [['Espresso Machine', 240], ['Burr Grinder', 95], ['Pour-Over Kettle', 45], ['Coffee Beans 1 kg', 24], ['Loose Leaf Tea', 12],
      ['French Press', 29], ['Milk Frother', 35], ['Tea Infuser', 9], ['Cold Brew Maker', 32], ['Travel Mug', 19], ['Matcha Whisk Set', 22]],
    adjectives: ['Classic', 'Barista', 'Single-Origin', 'Ceramic', 'Copper', 'Everyday', 'Smoky', 'Velvet'],
    suffixes: ['', '', ' Pro', ' Mini', ' II'],
    bands: [20, 60], min: 4, max: 900,
    complements: ['Kitchen', 'Books'],
    blurbs: ['Makes a better cup every morning.', 'Loved by home baristas.', 'Easy to clean and built to last.'],
  },
  {
    name: 'Kitchen', share: 1.2,
    brands: ['Hearthware', 'Copperline', 'Little Pantry', 'Steelcraft', 'Oakridge Home'],
    kinds: [['Chef Knife', 55], ['Cast Iron Skillet', 42], ['Cutting Board', 24], ['Stand Mixer', 280], ['Dutch Oven', 89],
      ['Measuring Cups', 12], ['Spice Rack', 29], ['Blender', 110], ['Mixing Bowl Set', 34], ['Silicone Spatula', 8], ['Toaster', 49]],
    adjectives: ['Professional', 'Enamel', 'Nonstick', 'Walnut', 'Compact', 'Heritage', 'Stainless', 'Bright'],
    suffixes: ['', '', ' Pro', ' XL', ' Set'],
    bands: [25, 80], min: 4, max: 600,
    complements: ['Coffee & Tea', 'Garden'],
    blurbs: ['A kitchen workhorse.', 'Dishwasher safe.', 'Chosen by home cooks.'],
  },
  {
    name: 'Outdoor', share: 1,
    brands: ['Northpeak', 'Trailmark', 'Campfire Co', 'Ridgeway', 'Wildfern'],
    kinds: [['Tent 2-Person', 190], ['Sleeping Bag', 120], ['Hiking Backpack', 110], ['Headlamp', 29], ['Camping Stove', 65],
      ['Water Filter', 39], ['Trekking Poles', 59], ['Rain Jacket', 140], ['Camp Chair', 45], ['Insulated Bottle', 25]],
    adjectives: ['Ultralight', 'Alpine', 'Weatherproof', 'Packable', 'Rugged', 'Trail', 'Summit'],
    suffixes: ['', '', ' 2', ' Lite', ' Pro'],
    bands: [40, 120], min: 8, max: 700,
    complements: ['Running', 'Garden', 'Pets'],
    blurbs: ['Ready for the weekend trip.', 'Tested in wind and rain.', 'Packs down small.'],
  },
  {
    name: 'Running', share: 0.9,
    brands: ['Northpeak', 'Stride', 'Pacer', 'Fleetfoot', 'Tempo Labs'],
    kinds: [['Road Running Shoes', 120], ['Trail Running Shoes', 135], ['Running Socks 3-Pack', 18], ['Running Shorts', 35], ['Hydration Vest', 85],
      ['GPS Watch', 220], ['Reflective Jacket', 75], ['Foam Roller', 29], ['Energy Gels 12-Pack', 24], ['Running Cap', 22]],
    adjectives: ['Featherlight', 'Cushioned', 'Responsive', 'Breathable', 'Marathon', 'Tempo', 'Night'],
    suffixes: ['', '', ' 2', ' 3', ' Elite'],
    bands: [35, 110], min: 8, max: 450,
    complements: ['Outdoor', 'Audio', 'Beauty'],
    blurbs: ['For your next personal best.', 'Comfortable from the first kilometre.', 'Made for daily miles.'],
  },
  {
    name: 'Books', share: 1.1,
    brands: ['Lantern Press', 'Blue Heron Books', 'Marginalia', 'Paperkite', 'Oldfield & Sons'],
    kinds: [['Thriller', 16], ['Cookbook', 28], ['Science Fiction Novel', 15], ['Travel Guide', 22], ['Graphic Novel', 20],
      ['Biography', 24], ['Poetry Collection', 14], ['Picture Book', 12], ['Productivity Guide', 18], ['Field Guide', 26]],
    adjectives: ['Silent Harbor', 'Northern Lights', 'Salt and Smoke', 'The Last Orchard', 'Glass Cities', 'Small Hours',
      'Paper Moons', 'The Long Table', 'Iron Rivers', 'Quiet Machines'],
    suffixes: [''],
    bands: [15, 22], min: 5, max: 80,
    complements: ['Coffee & Tea', 'Home Office', 'Toys'],
    blurbs: ['A book you will not put down.', 'Critics loved it.', 'Perfect for a rainy afternoon.'],
  },
  {
    name: 'Audio', share: 0.9,
    brands: ['Voltline', 'Sonora', 'Deepwave', 'Clarion Audio', 'Hush'],
    kinds: [['Wireless Earbuds', 99], ['Over-Ear Headphones', 179], ['Bluetooth Speaker', 79], ['Soundbar', 249], ['Turntable', 199],
      ['USB Microphone', 89], ['Sport Earphones', 49], ['DAC Amplifier', 129], ['Headphone Stand', 25]],
    adjectives: ['Noise-Cancelling', 'Studio', 'Bass', 'Wireless', 'Hi-Fi', 'Portable', 'Pure'],
    suffixes: ['', ' Pro', ' Max', ' 2', ' Mini'],
    bands: [60, 160], min: 10, max: 800,
    complements: ['Gaming', 'Running', 'Home Office'],
    blurbs: ['Rich sound, all day.', 'Pairs in a second.', 'Hear every detail.'],
  },
  {
    name: 'Gaming', share: 0.9,
    brands: ['Voltline', 'Pixelforge', 'Respawn Gear', 'Arcadia', 'Nexus Play'],
    kinds: [['Game Controller', 59], ['Mechanical Keyboard', 119], ['Gaming Mouse', 59], ['Gaming Headset', 89], ['Mouse Pad XL', 25],
      ['Strategy Board Game', 45], ['Co-op Adventure Game', 59], ['Racing Wheel', 249], ['Capture Card', 159], ['Gaming Chair', 299]],
    adjectives: ['RGB', 'Tournament', 'Wireless', 'Retro', 'Precision', 'Turbo', 'Stealth'],
    suffixes: ['', ' Pro', ' X', ' Elite', ''],
    bands: [50, 130], min: 10, max: 700,
    complements: ['Audio', 'Toys', 'Home Office'],
    blurbs: ['Built for long sessions.', 'Low latency, high score.', 'Your setup, upgraded.'],
  },
  {
    name: 'Toys', share: 0.9,
    brands: ['Little Pantry', 'Tinker Town', 'Bright Blocks', 'Puddle Jump', 'Wonderwood'],
    kinds: [['Building Blocks Set', 49], ['Wooden Train Set', 59], ['Plush Bear', 19], ['Puzzle 1000 Pieces', 22], ['Science Kit', 35],
      ['Remote Control Car', 45], ['Art Easel', 65], ['Play Kitchen', 120], ['Card Game', 12], ['Kite', 24]],
    adjectives: ['Rainbow', 'Wooden', 'Giant', 'Curious', 'Adventure', 'Magnetic', 'Cosy'],
    suffixes: ['', '', ' Deluxe', ' Junior', ''],
    bands: [20, 50], min: 5, max: 250,
    complements: ['Books', 'Gaming'],
    blurbs: ['Hours of play.', 'Safe, sturdy, and fun.', 'A favourite gift.'],
  },
  {
    name: 'Beauty', share: 0.9,
    brands: ['Lumen Skin', 'Petal & Pine', 'Marea', 'Dew Studio', 'Botanica'],
    kinds: [['Face Serum', 32], ['Moisturiser', 26], ['Sunscreen SPF 50', 18], ['Lip Balm', 6], ['Hair Oil', 22],
      ['Clay Mask', 19], ['Cleansing Balm', 24], ['Eye Cream', 35], ['Hand Cream', 11], ['Body Wash', 12]],
    adjectives: ['Hydrating', 'Vitamin C', 'Gentle', 'Rose', 'Overnight', 'Mineral', 'Fragrance-Free'],
    suffixes: ['', '', ' 50 ml', ' 100 ml', ' Travel Size'],
    bands: [14, 28], min: 3, max: 150,
    complements: ['Running', 'Outdoor'],
    blurbs: ['Dermatologist tested.', 'Kind to sensitive skin.', 'A glow you can see.'],
  },
  {
    name: 'Home Office', share: 1,
    brands: ['Deskwise', 'Ergoform', 'Paperkite', 'Lumen Works', 'Steelcraft'],
    kinds: [['Standing Desk', 420], ['Ergonomic Chair', 320], ['Monitor Arm', 89], ['Desk Lamp', 45], ['Notebook A5', 9],
      ['Webcam', 79], ['Laptop Stand', 39], ['Cable Organiser', 15], ['Fountain Pen', 29], ['Whiteboard', 55]],
    adjectives: ['Ergonomic', 'Minimal', 'Adjustable', 'Bamboo', 'Focus', 'Modular', 'Classic'],
    suffixes: ['', '', ' Pro', ' Plus', ' II'],
    bands: [30, 100], min: 4, max: 900,
    complements: ['Audio', 'Books', 'Coffee & Tea'],
    blurbs: ['Work comfortably all day.', 'Tidy desk, clear mind.', 'Designed for small spaces.'],
  },
  {
    name: 'Pets', share: 0.8,
    brands: ['Happy Paws', 'Whisker & Co', 'Barkley', 'Nibble', 'Wildfern'],
    kinds: [['Dog Bed', 59], ['Cat Tree', 89], ['Chew Toy', 9], ['Dry Dog Food 5 kg', 39], ['Cat Litter', 15],
      ['Dog Leash', 19], ['Pet Carrier', 49], ['Treats Variety Pack', 12], ['Grooming Brush', 14], ['Pet Fountain', 35]],
    adjectives: ['Orthopedic', 'Grain-Free', 'Durable', 'Calming', 'Reflective', 'Plush', 'Natural'],
    suffixes: ['', '', ' Large', ' Small', ''],
    bands: [15, 45], min: 3, max: 250,
    complements: ['Outdoor', 'Garden'],
    blurbs: ['Your pet will thank you.', 'Vet recommended.', 'Easy to wash.'],
  },
  {
    name: 'Garden', share: 0.9,
    brands: ['Greenthumb', 'Oakridge Home', 'Wildfern', 'Terra & Co', 'Bloomfield'],
    kinds: [['Raised Garden Bed', 120], ['Pruning Shears', 25], ['Watering Can', 22], ['Seed Starter Kit', 18], ['Garden Hose 25 m', 45],
      ['Compost Bin', 69], ['Solar Lanterns', 35], ['Herb Planter', 29], ['Gardening Gloves', 14], ['Bird Feeder', 27]],
    adjectives: ['Galvanised', 'Heirloom', 'Cedar', 'Weatherproof', 'Self-Watering', 'Terracotta', 'Rustic'],
    suffixes: ['', '', ' XL', ' Duo', ''],
    bands: [20, 50], min: 4, max: 400,
    complements: ['Kitchen', 'Outdoor', 'Pets'],
    blurbs: ['Grow more with less effort.', 'Built for every season.', 'A gardener favourite.'],
  },
];
